namespace DocExchange.Cli;

/// <summary>
/// Tab completion: the shell asks dex itself (System.CommandLine's [suggest] directive), so what it
/// offers is always the installed dex's commands, options and allowed values.
/// </summary>
public static class Completion
{
    public static int Print(string shell)
    {
        Console.Out.WriteLine(shell switch
        {
            "bash" => """
                # dex tab completion (bash): dex completion bash >> ~/.bashrc
                _dex_complete() {
                  local IFS=$'\n'
                  COMPREPLY=($(dex "[suggest:${#COMP_LINE}]" "$COMP_LINE" 2>/dev/null | grep -e "^${COMP_WORDS[COMP_CWORD]}"))
                }
                complete -o default -F _dex_complete dex
                """,
            _ => """
                # dex tab completion (PowerShell): dex completion powershell >> $PROFILE
                Register-ArgumentCompleter -Native -CommandName dex, dex.exe -ScriptBlock {
                  param($wordToComplete, $commandAst, $cursorPosition)
                  dex "[suggest:$cursorPosition]" "$commandAst" | Where-Object { $_ -like "$wordToComplete*" } |
                    ForEach-Object { [System.Management.Automation.CompletionResult]::new($_, $_, 'ParameterValue', $_) }
                }
                """,
        });
        return 0;
    }
}
