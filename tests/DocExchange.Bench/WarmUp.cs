namespace DocExchange.Bench;

/// <summary>
/// Unmeasured runs of a raw baseline before its measured one. The bench's clients and the stand-in axis reach
/// their pace only after the runtime has recompiled their hot code under load (tens of thousands of calls or
/// messages): a baseline measured cold flatters every ratio set against it. The rates are printed, so the climb shows.
/// </summary>
public static class WarmUp
{
    public static async Task RunAsync(int runs, Func<Task<double>> run, string unit)
    {
        var rates = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            rates.Add(await run());
        }
        Console.Error.WriteLine($"  warm-up: {string.Join(", ", rates)} {unit} (not measured)");
    }
}
