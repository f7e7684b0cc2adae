using System.Diagnostics;
using ServerlessLineage.Core.Preparation;

namespace ServerlessLineage.LocalHost;

/// <summary>A one-line progress display on stderr for interactive terminals, at most a few updates a second.</summary>
internal sealed class ConsoleProgress(bool enabled) : IProgress<PrepareProgress>, IDisposable
{
    private readonly Stopwatch _since = Stopwatch.StartNew();
    private bool _shown;

    public void Report(PrepareProgress value)
    {
        if (!enabled || _since.ElapsedMilliseconds < 250)
        {
            return;
        }

        _since.Restart();
        var text = value.TotalBytes > 0
            ? $"{value.Stage}: {Math.Min(100, 100.0 * value.BytesRead / value.TotalBytes),5:0.0}%  ({value.BytesRead / 1048576.0:0.0} of {value.TotalBytes / 1048576.0:0.0} MiB)"
            : $"{value.Stage}…";
        Console.Error.Write("\r" + text.PadRight(60));
        _shown = true;
    }

    public void Done()
    {
        if (_shown)
        {
            Console.Error.Write("\r" + new string(' ', 60) + "\r");
            _shown = false;
        }
    }

    public void Dispose() => Done();
}
