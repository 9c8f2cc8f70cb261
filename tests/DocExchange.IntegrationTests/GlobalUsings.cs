global using NUnit.Framework;
global using DocExchange.IntegrationTests.Infrastructure;
