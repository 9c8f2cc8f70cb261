global using NUnit.Framework;
global using DocExchange.IntegrationTests.Infrastructure;
global using DocExchange.AxisStandIn;
global using DocExchange.Hub.Data.Entities;
