global using DocExchange.Hub.Data.Entities;
