# The hub as ops/run runs it (DocExchange.Hub.dll serve), published in an SDK stage and run on the
# ASP.NET runtime image as its non-root user. dex (the CLI) is in the image too, for the init service
# and for administrators: docker compose exec hub dex ...
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props ./
COPY src/ src/
RUN dotnet publish src/DocExchange.Hub -c Release -o /out/hub \
 && dotnet publish src/DocExchange.Cli -c Release -o /out/dex

FROM mcr.microsoft.com/dotnet/aspnet:10.0
# curl for the healthcheck (GET /health/ready).
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /data && chown app:app /data
WORKDIR /app
COPY --from=build /out/hub/ ./
COPY --from=build /out/dex/ /opt/dex/
COPY ops/seed/thanh-hoa-units.json /app/seed/thanh-hoa-units.json
RUN printf '#!/bin/sh\nexec dotnet /opt/dex/dex.dll "$@"\n' > /usr/local/bin/dex && chmod 755 /usr/local/bin/dex
USER app
ENV DEX_URLS=http://0.0.0.0:8080
# The garbage collector's young-generation budget, as ops/lib/services.sh gives it (HUB_RUNTIME_ENV; why, there).
ENV DOTNET_GCgen0size=0x2000000
EXPOSE 8080
VOLUME ["/data"]
HEALTHCHECK --interval=10s --timeout=3s --retries=30 CMD curl -fs http://127.0.0.1:8080/health/ready || exit 1
ENTRYPOINT ["dotnet", "/app/DocExchange.Hub.dll"]
CMD ["serve"]
