namespace DocExchange.Hub.Infrastructure;

/// <summary>Keys and tokens on disk: created readable by their owner only (mode 600) before anything is written.</summary>
public static class SecretFile
{
    public static void Write(string path, string text)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        using (var stream = new FileStream(path, options))
        {
            stream.Write(System.Text.Encoding.UTF8.GetBytes(text));
        }
        if (!OperatingSystem.IsWindows())
        {
            // UnixCreateMode applies to new files only; an existing file is narrowed too.
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }
}
