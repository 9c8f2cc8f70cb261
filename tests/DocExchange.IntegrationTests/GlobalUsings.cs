global using NUnit.Framework;
global using DocExchange.IntegrationTests.Infrastructure;
global using DocExchange.AxisStandIn;
