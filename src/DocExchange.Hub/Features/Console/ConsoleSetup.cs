using System.Security.Claims;
using DocExchange.Hub.Data;
using DocExchange.Hub.Features.Accounts;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.Caching.Memory;

namespace DocExchange.Hub.Features.Console;

/// <summary>
/// The web console at /console: server-rendered Razor Pages in the hub's own process, Vietnamese by
/// default. A person signs in with a credential's token once; the console keeps an HttpOnly,
/// SameSite=Strict session cookie (Secure over HTTPS) that names the credential, and checks on every
/// request that the credential is still valid, so revoking it ends the session. Pages call the same
/// handlers as the API, so the API's rules hold for every page and action. Every form carries an
/// antiforgery token; a strict Content-Security-Policy allows only the hub's own scripts and styles.
/// </summary>
public static class ConsoleSetup
{
    public const string Scheme = "DexConsole";

    public static IServiceCollection AddHubConsole(this IServiceCollection services)
    {
        services.AddRazorPages(o =>
        {
            o.RootDirectory = "/Features/Console/Pages";
            o.Conventions.AuthorizeFolder("/", ConsolePolicies.SignedIn);
            o.Conventions.AllowAnonymousToPage("/SignIn");
            o.Conventions.AllowAnonymousToPage("/Language");
        });
        // Vietnamese as it is in the page's bytes, not as &#x...; entities (Razor still encodes what HTML needs).
        services.Configure<Microsoft.Extensions.WebEncoders.WebEncoderOptions>(o =>
            o.TextEncoderSettings = new System.Text.Encodings.Web.TextEncoderSettings(System.Text.Unicode.UnicodeRanges.All));
        services.AddAntiforgery(o =>
        {
            o.Cookie.Name = "dex_console_af";
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.FormFieldName = "__af";
        });
        services.AddAuthentication().AddCookie(Scheme, o =>
        {
            o.Cookie.Name = "dex_console";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.Cookie.Path = "/console";
            o.LoginPath = "/console/sign-in";
            o.LogoutPath = "/console/sign-out";
            o.AccessDeniedPath = "/console/denied";
            o.ExpireTimeSpan = TimeSpan.FromHours(8);
            o.SlidingExpiration = true;
            o.Events.OnValidatePrincipal = StillValid;
        });
        services.AddAuthorizationBuilder()
            .AddPolicy(ConsolePolicies.SignedIn, p => p.AddAuthenticationSchemes(Scheme).RequireAuthenticatedUser())
            .AddPolicy(ConsolePolicies.Admin, p => p.AddAuthenticationSchemes(Scheme).RequireRole(nameof(Role.Admin)))
            .AddPolicy(ConsolePolicies.AdminOrAuditor, p => p.AddAuthenticationSchemes(Scheme).RequireRole(nameof(Role.Admin), nameof(Role.Auditor)))
            .AddPolicy(ConsolePolicies.Clerk, p => p.AddAuthenticationSchemes(Scheme).RequireRole(nameof(Role.Clerk)));
        return services;
    }

    public static WebApplication MapHubConsole(this WebApplication app)
    {
        app.MapRazorPages();
        app.MapGet("/console/assets/{name}", ConsoleAssets.Serve).AllowAnonymous().ExcludeFromDescription();
        return app;
    }

    /// <summary>The console's headers: a strict CSP (own scripts and styles only, no inline code), no framing, no sniffing, no caching of pages.</summary>
    public static IApplicationBuilder UseConsoleHeaders(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        if (http.Request.Path.StartsWithSegments("/console"))
        {
            http.Response.OnStarting(() =>
            {
                var h = http.Response.Headers;
                h.ContentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
                    + "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
                h.XContentTypeOptions = "nosniff";
                h["Referrer-Policy"] = "no-referrer";
                h.XFrameOptions = "DENY";
                if (!http.Request.Path.StartsWithSegments("/console/assets"))
                {
                    h.CacheControl = "no-store";
                }
                return Task.CompletedTask;
            });
        }
        await next(http);
    });

    /// <summary>Signs a person in with a credential's token: the same check as the API's bearer token.</summary>
    public static async Task<ClaimsPrincipal?> PrincipalForAsync(HttpContext http, string token) =>
        await CredentialCheck.ForTokenAsync(http.RequestServices.GetRequiredService<HubDbContext>(), http.RequestServices.GetRequiredService<IMemoryCache>(), token, http.RequestAborted)
            is { } credential ? CredentialCheck.PrincipalOf(credential, Scheme) : null;

    // A revoked credential ends its console sessions (at once on the revoking instance, within the cache's time on others).
    private static async Task StillValid(CookieValidatePrincipalContext context)
    {
        var services = context.HttpContext.RequestServices;
        if (!Guid.TryParse(context.Principal?.FindFirstValue(ClaimTypes.NameIdentifier), out var id)
            || await CredentialCheck.ValidAsync(services.GetRequiredService<HubDbContext>(), services.GetRequiredService<IMemoryCache>(), id, context.HttpContext.RequestAborted) is null)
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(Scheme);
        }
    }
}

public static class ConsolePolicies
{
    public const string SignedIn = "Console.SignedIn";
    public const string Admin = "Console.Admin";
    public const string AdminOrAuditor = "Console.AdminOrAuditor";
    public const string Clerk = "Console.Clerk";
}
