using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace DocExchange.Hub.Features;

/// <summary>
/// What the OpenAPI document says beyond the endpoints themselves: every call but the health probes
/// and the axis protocol (/vxp, HMAC-signed headers) carries a credential's token as a bearer token;
/// every operation lists its refusals by status with their problem codes (<see cref="Refusals"/>), and
/// those every API call shares: 401 without a token, 403 for a role that may not, 503 while the database is away.
/// </summary>
public static class OpenApiDescription
{
    public const string BearerScheme = "Bearer";

    public static void Configure(OpenApiOptions options)
    {
        options.AddDocumentTransformer(DescribeBearer);
        options.AddOperationTransformer((operation, context, _) =>
        {
            var metadata = context.Description.ActionDescriptor.EndpointMetadata;
            var refusals = metadata.OfType<RefusalsMetadata>().GroupBy(r => r.Status).ToDictionary(g => g.Key, g => g.SelectMany(r => r.Codes).Distinct().ToList());
            var path = context.Description.RelativePath ?? "";
            if (path.StartsWith("api/", StringComparison.Ordinal))
            {
                refusals.TryAdd(503, []);
                refusals[503].Add("database-unavailable");
            }
            if (metadata.OfType<IAuthorizeData>().Any() && !metadata.OfType<IAllowAnonymous>().Any())
            {
                // What the token handler answers (TokenAuthentication): no or an unknown token, a role that may not.
                refusals.TryAdd(401, []);
                refusals[401].Add("unauthenticated");
                refusals.TryAdd(403, []);
                refusals[403].Add("forbidden-role");
            }
            operation.Responses ??= [];
            foreach (var (status, codes) in refusals.OrderBy(r => r.Key))
            {
                operation.Responses[status.ToString(System.Globalization.CultureInfo.InvariantCulture)] = Problem(status, codes);
            }
            return Task.CompletedTask;
        });
    }

    private static OpenApiResponse Problem(int status, List<string> codes) => new()
    {
        Description = "Refused (application/problem+json); code: " + string.Join(", ", codes) + ".",
        Content = new Dictionary<string, OpenApiMediaType>
        {
            ["application/problem+json"] = new()
            {
                Schema = new OpenApiSchema
                {
                    Type = JsonSchemaType.Object,
                    Required = new HashSet<string> { "status", "title" },
                    Properties = new Dictionary<string, IOpenApiSchema>
                    {
                        ["type"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "urn:docexchange:problem:CODE" },
                        ["title"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "In Vietnamese with Accept-Language: vi." },
                        ["status"] = new OpenApiSchema { Type = JsonSchemaType.Integer, Enum = [JsonValue.Create(status)] },
                        ["detail"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "What happened and what to do (Vietnamese with Accept-Language: vi)." },
                        ["code"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "Stable: clients branch on it.", Enum = [.. codes.Select(c => (JsonNode)JsonValue.Create(c))] },
                        ["detailEn"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "The English detail, when the answer is in Vietnamese." },
                    },
                },
            },
        },
    };

    private static Task DescribeBearer(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken ct)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[BearerScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = "A credential's token (dex credentials issue; shown once), sent as 'Authorization: Bearer TOKEN'. "
                + "Clerks act for their one unit; administrators and auditors for the hub. /health and /vxp (HMAC-signed axis headers) do not use it.",
        };
        document.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, document)] = [] }];
        return Task.CompletedTask;
    }
}
