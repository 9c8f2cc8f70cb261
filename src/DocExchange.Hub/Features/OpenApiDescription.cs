using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace DocExchange.Hub.Features;

/// <summary>
/// What the OpenAPI document says beyond the endpoints themselves: every call but the health probes
/// and the axis protocol (/vxp, HMAC-signed headers) carries a credential's token as a bearer token.
/// </summary>
public static class OpenApiDescription
{
    public const string BearerScheme = "Bearer";

    public static void Configure(OpenApiOptions options) => options.AddDocumentTransformer((document, _, _) =>
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
    });
}
