using System.Globalization;
using System.Reflection;
using DocExchange.Hub.Pipeline;
using DocExchange.Protocol.Edxml;

namespace DocExchange.Hub.Features.Console;

/// <summary>The console's words and formats: Vietnamese unless the person switched to English; dates dd/MM/yyyy in Vietnam time.</summary>
public static class Ui
{
    public const string LanguageCookie = "dex_lang";
    private static readonly CultureInfo Vietnamese = CultureInfo.GetCultureInfo("vi-VN");

    public static bool InEnglish(this HttpContext http) => http.Request.Cookies[LanguageCookie] == "en";

    /// <summary>The Vietnamese or the English text, as the person chose.</summary>
    public static string T(this HttpContext http, string vi, string en) => http.InEnglish() ? en : vi;

    /// <summary>A moment as people in the province read it: Vietnam time, dd/MM/yyyy HH:mm.</summary>
    public static string When(DateTimeOffset? at) => at is { } t ? EdxmlDates.Local(t).ToString("dd/MM/yyyy HH:mm", CultureInfo.InvariantCulture) : "—";

    /// <summary>The start of a Vietnam day, in UTC (as PostgreSQL's timestamptz parameters need).</summary>
    public static DateTimeOffset StartOf(DateOnly day) => new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.FromHours(7)).ToUniversalTime();

    public static string Day(DateOnly? day) => day is { } d ? d.ToString("dd/MM/yyyy", CultureInfo.InvariantCulture) : "—";

    public static string Count(this HttpContext http, long n) => n.ToString("N0", http.InEnglish() ? CultureInfo.InvariantCulture : Vietnamese);

    public static Caller Me(this HttpContext http) => Caller.From(http.User);

    public static string RoleName(this HttpContext http, Data.Entities.Role role) => role switch
    {
        Data.Entities.Role.Admin => http.T("Quản trị viên", "Administrator"),
        Data.Entities.Role.Auditor => http.T("Kiểm toán viên", "Auditor"),
        _ => http.T("Văn thư", "Clerk"),
    };

    public static string StateName(this HttpContext http, string state) => state.ToLowerInvariant() switch
    {
        "queued" => http.T("Đang chờ chuyển", "Queued"),
        "delivered" => http.T("Đã đến hộp thư", "Delivered"),
        "acknowledged" => http.T("Đã nhận", "Acknowledged"),
        "refused" => http.T("Bị từ chối", "Refused"),
        "cancelled" => http.T("Đã hủy", "Cancelled"),
        _ => state,
    };

    public static string StatusName(this HttpContext http, string? code) => code switch
    {
        null or "" => "—",
        "01" => http.T("01 Đã đến", "01 Arrived"),
        "02" => http.T("02 Từ chối", "02 Refused"),
        "03" => http.T("03 Đã tiếp nhận", "03 Accepted"),
        "04" => http.T("04 Đã phân công", "04 Assigned"),
        "05" => http.T("05 Đang xử lý", "05 In progress"),
        "06" => http.T("06 Hoàn thành", "06 Completed"),
        "13" => http.T("13 Yêu cầu thu hồi", "13 Recall asked"),
        "15" => http.T("15 Đồng ý hủy", "15 Cancelled"),
        "16" => http.T("16 Từ chối thu hồi", "16 Recall refused"),
        _ => code,
    };

    public static string TierName(this HttpContext http, string tier) => tier switch
    {
        "central" => http.T("Trung ương", "Central"),
        "province" => http.T("Tỉnh", "Province"),
        "district" => http.T("Huyện", "District"),
        "commune" => http.T("Xã", "Commune"),
        _ => tier,
    };

    public static string UnitStatusName(this HttpContext http, string status) => status switch
    {
        "active" => http.T("Đang hoạt động", "Active"),
        "suspended" => http.T("Tạm dừng", "Suspended"),
        "retired" => http.T("Đã giải thể", "Retired"),
        _ => status,
    };
}

/// <summary>What a handler shared with the API answered: its value, or its refusal in the person's language (the code kept).</summary>
public static class Answer
{
    public static (T? Value, string? Problem) Of<T>(this HttpContext http, IResult result) => result switch
    {
        IValueHttpResult<T> v => (v.Value, null),
        Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult p => (default, Describe(http, p.ProblemDetails)),
        _ => (default, null),
    };

    public static string Describe(HttpContext http, Microsoft.AspNetCore.Mvc.ProblemDetails problem)
    {
        var code = problem.Extensions.TryGetValue("code", out var c) ? c?.ToString() : null;
        var english = problem.Detail ?? problem.Title ?? "";
        return !http.InEnglish() && code is not null && ProblemsInVietnamese.Catalogue.TryGetValue(code, out var vi)
            ? $"{vi.Title}: {vi.Detail} ({english}) [{code}]"
            : $"{english} [{code}]";
    }
}

/// <summary>The console's stylesheet and scripts, embedded in the hub (no CDN, no build server), served with a version tag.</summary>
public static class ConsoleAssets
{
    private static readonly Dictionary<string, (byte[] Bytes, string Type, string ETag)> Files = Load();

    private static Dictionary<string, (byte[], string, string)> Load()
    {
        var assembly = Assembly.GetExecutingAssembly();
        var files = new Dictionary<string, (byte[], string, string)>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.Contains(".Console.Assets.", StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var name = resource[(resource.IndexOf(".Console.Assets.", StringComparison.Ordinal) + ".Console.Assets.".Length)..];
            var type = Path.GetExtension(name) switch { ".css" => "text/css; charset=utf-8", ".js" => "text/javascript; charset=utf-8", _ => "application/octet-stream" };
            var bytes = copy.ToArray();
            files[name] = (bytes, type, "\"" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes))[..16] + "\"");
        }
        return files;
    }

    public static IResult Serve(string name, HttpContext http)
    {
        if (!Files.TryGetValue(name, out var file))
        {
            return Results.NotFound();
        }
        http.Response.Headers.ETag = file.ETag;
        http.Response.Headers.CacheControl = "public, max-age=3600";
        return http.Request.Headers.IfNoneMatch == file.ETag ? Results.StatusCode(304) : Results.Bytes(file.Bytes, file.Type);
    }
}
