using System.Globalization;
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

    // The business statuses' Vietnamese names; English ones are StatusRules.Names.
    private static readonly Dictionary<string, string> StatusNamesVi = new()
    {
        [BusinessCodes.Arrived] = "Đã đến", [BusinessCodes.Refused] = "Từ chối", [BusinessCodes.Accepted] = "Đã tiếp nhận", [BusinessCodes.Assigned] = "Đã phân công",
        [BusinessCodes.InProgress] = "Đang xử lý", [BusinessCodes.Completed] = "Hoàn thành", [BusinessCodes.RecallRequested] = "Yêu cầu thu hồi",
        [BusinessCodes.RecallAgreed] = "Đồng ý hủy", [BusinessCodes.RecallRefused] = "Từ chối thu hồi",
    };

    public static string StatusName(this HttpContext http, string? code) =>
        code is null or "" ? "—" : http.InEnglish() ? StatusRules.Name(code) : $"{code} {StatusNamesVi.GetValueOrDefault(code, "?")}";

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
