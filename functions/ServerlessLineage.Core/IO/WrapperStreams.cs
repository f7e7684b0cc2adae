namespace ServerlessLineage.Core.IO;

/// <summary>Reads several streams one after the other as one (each is disposed with this one).</summary>
public sealed class ConcatenatedStream(IReadOnlyList<Stream> parts) : ReadOnlyStream
{
    private int _current;

    public override int Read(Span<byte> buffer)
    {
        while (_current < parts.Count)
        {
            var read = parts[_current].Read(buffer);
            if (read > 0 || buffer.IsEmpty)
            {
                return read;
            }

            _current++;
        }

        return 0;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            foreach (var part in parts)
            {
                part.Dispose();
            }
        }

        base.Dispose(disposing);
    }
}

/// <summary>At most <c>length</c> bytes of a stream, from where it is positioned.</summary>
public sealed class BoundedStream(Stream inner, long length) : ReadOnlyStream
{
    private long _left = length;

    /// <summary>Opens <paramref name="length"/> bytes of the file at <paramref name="path"/> from <paramref name="offset"/>.</summary>
    public static BoundedStream OpenFileRange(string path, long offset, long length)
    {
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        file.Seek(offset, SeekOrigin.Begin);
        return new BoundedStream(file, length);
    }

    public override int Read(Span<byte> buffer)
    {
        if (_left <= 0)
        {
            return 0;
        }

        var read = inner.Read(buffer[..(int)Math.Min(buffer.Length, _left)]);
        _left -= read;
        return read;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }
}

/// <summary>Reads through to a stream without owning it: disposing this leaves the inner stream open.</summary>
public sealed class KeepOpenStream(Stream inner) : ReadOnlyStream
{
    public override int Read(Span<byte> buffer) => inner.Read(buffer);
}
