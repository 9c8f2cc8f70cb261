using System.Text.Json.Nodes;

namespace DocExchange.Protocol.Axis;

/// <summary>
/// The answer envelope of the axis protocol, one implementation for both sides (the hub's /vxp, the
/// stand-in axis, the national connector): <c>{"status":"OK"|"FAIL","ErrorCode":...,"ErrorDesc":...}</c>
/// with the call's own fields (data, DocId, total) beside them.
/// </summary>
public static class AxisAnswer
{
    public const string Status = "status";
    public const string ErrorCode = "ErrorCode";
    public const string ErrorDesc = "ErrorDesc";
    public const string Data = "data";

    /// <summary>A successful answer: the call's fields, marked OK.</summary>
    public static JsonObject Ok(JsonObject fields)
    {
        fields[Status] = OkStatus;
        fields[ErrorCode] = OkCode;
        fields[ErrorDesc] = "";
        return fields;
    }

    /// <summary>The same OK marks, for an answer written as it streams (its other fields follow, then the end of the object).</summary>
    public static void WriteOk(System.Text.Json.Utf8JsonWriter json)
    {
        json.WriteString(Status, OkStatus);
        json.WriteString(ErrorCode, OkCode);
        json.WriteString(ErrorDesc, "");
    }

    private const string OkStatus = "OK";
    private const string OkCode = "0";

    /// <summary>A refusal, with the reason's code and a description a person can act on.</summary>
    public static JsonObject Fail(string code, string description) => new() { [Status] = "FAIL", [ErrorCode] = code, [ErrorDesc] = description };

    /// <summary>Reads an answer: null when it is OK, else the refusal's code and description.</summary>
    public static (string Code, string Description)? Refusal(JsonNode answer) =>
        answer[Status] is JsonValue v && v.TryGetValue<string>(out var status) && status == OkStatus
            ? null
            : (answer[ErrorCode]?.ToString() ?? "refused", answer[ErrorDesc]?.ToString() ?? "");
}
