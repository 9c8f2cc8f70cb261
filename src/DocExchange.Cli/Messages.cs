namespace DocExchange.Cli;

/// <summary>
/// dex's own words in Vietnamese or English: --lang vi|en, else LANG/LC_ALL (vi_VN.UTF-8 gives Vietnamese).
/// The hub's refusals follow the same choice (dex asks with Accept-Language). Output is UTF-8 everywhere,
/// the Windows console included.
/// </summary>
public static class Messages
{
    public static bool Vietnamese { get; set; }

    public static bool FromEnvironment(string? lang) =>
        lang is not null ? lang == "vi"
            : (Environment.GetEnvironmentVariable("LC_ALL") is { Length: > 0 } all ? all : Environment.GetEnvironmentVariable("LANG"))?.StartsWith("vi", StringComparison.OrdinalIgnoreCase) == true;

    public static string Refused => Vietnamese ? "bị từ chối" : "refused";
    public static string HelpHint => Vietnamese ? "'dex LỆNH --help' cho biết cách dùng lệnh" : "'dex COMMAND --help' shows how to use a command";
    public static string Unreachable => Vietnamese ? "không kết nối được trục" : "the hub could not be reached";
    public static string NoToken => Vietnamese ? "cần mã truy cập: đặt --token hoặc DEX_TOKEN" : "set --token or DEX_TOKEN";
    public static string EmptyToken => Vietnamese
        ? "DEX_TOKEN đã đặt nhưng rỗng: đưa mã truy cập của bạn bằng --token hoặc DEX_TOKEN"
        : "DEX_TOKEN is set but empty: give your credential's token with --token or DEX_TOKEN";
}
