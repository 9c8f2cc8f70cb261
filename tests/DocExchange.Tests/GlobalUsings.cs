global using NUnit.Framework;
global using DocExchange.Hub.Data.Entities;
