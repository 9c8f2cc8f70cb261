namespace DocExchange.Hub.Infrastructure;

/// <summary>Keys and tokens on disk: created readable by their owner only (mode 600) before anything is written.</summary>
public static class SecretFile
{
    public static void Write(string path, string text) => Write(path, text, FileMode.Create);

    /// <summary>Writes the file only if it does not exist yet (atomically: of several processes racing, one creates it); false when it existed.</summary>
    public static bool TryCreate(string path, string text)
    {
        try
        {
            Write(path, text, FileMode.CreateNew);
            return true;
        }
        catch (IOException) when (File.Exists(path))
        {
            return false;
        }
    }

    private static void Write(string path, string text, FileMode mode)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var options = new FileStreamOptions { Mode = mode, Access = FileAccess.Write };
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
