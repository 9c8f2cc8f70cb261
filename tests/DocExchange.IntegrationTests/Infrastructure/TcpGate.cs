using System.Net;
using System.Net.Sockets;

namespace DocExchange.IntegrationTests.Infrastructure;

/// <summary>
/// A TCP relay between a hub process and one of its servers, which a test closes to play that
/// server's outage as the hub sees it (open connections cut, new ones refused) without stopping the
/// server the rest of the run uses, and opens again on the same port.
/// </summary>
public sealed class TcpGate : IAsyncDisposable
{
    private readonly IPEndPoint _target;
    private readonly List<TcpClient> _open = [];
    private TcpListener? _listener;
    private CancellationTokenSource _closing = new();

    public int Port { get; }

    private TcpGate(IPEndPoint target, int port)
    {
        _target = target;
        Port = port;
    }

    public static TcpGate Start(string host, int port)
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var free = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        var gate = new TcpGate(new IPEndPoint(IPAddress.Parse(host), port), free);
        gate.Open();
        return gate;
    }

    public void Open()
    {
        _closing = new CancellationTokenSource();
        _listener = new TcpListener(IPAddress.Loopback, Port);
        _listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        _listener.Start();
        var listener = _listener;
        var token = _closing.Token;
        _ = Task.Run(async () =>
        {
            while (!token.IsCancellationRequested)
            {
                TcpClient client;
                try { client = await listener.AcceptTcpClientAsync(token); }
                catch (Exception) { return; }
                _ = RelayAsync(client, token);
            }
        }, CancellationToken.None);
    }

    /// <summary>Cuts every open connection and refuses new ones until <see cref="Open"/>.</summary>
    public void Close()
    {
        _closing.Cancel();
        _listener?.Stop();
        lock (_open)
        {
            foreach (var c in _open)
            {
                c.Client.LingerState = new LingerOption(true, 0); // a reset, as a dead server gives
                c.Close();
            }
            _open.Clear();
        }
    }

    private async Task RelayAsync(TcpClient client, CancellationToken token)
    {
        using var server = new TcpClient();
        try
        {
            await server.ConnectAsync(_target, token);
            lock (_open) { _open.Add(client); _open.Add(server); }
            var a = client.GetStream().CopyToAsync(server.GetStream(), token);
            var b = server.GetStream().CopyToAsync(client.GetStream(), token);
            await Task.WhenAny(a, b);
        }
        catch (Exception)
        {
            // cut by Close, or one side went away
        }
        finally
        {
            lock (_open) { _open.Remove(client); _open.Remove(server); }
            client.Dispose();
        }
    }

    public ValueTask DisposeAsync()
    {
        Close();
        return ValueTask.CompletedTask;
    }
}
