namespace ServerlessLineage.Core.Datasets;

/// <summary>
/// A local file whose async reads and writes complete synchronously. Parquet.Net only offers async APIs; on a plain
/// <see cref="FileStream"/> every such call is handed to the thread pool and back, which measured as a large share of the CPU
/// time of cleaning on one core. Local disk I/O is fast and buffered, so doing it inline is cheaper.
/// </summary>
public sealed class SynchronousFileStream : Stream
{
    private readonly FileStream _file;

    private SynchronousFileStream(FileStream file)
    {
        _file = file;
    }

    public static SynchronousFileStream Create(string path) =>
        new(new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.None));

    public static SynchronousFileStream OpenRead(string path) =>
        new(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan));

    public override bool CanRead => _file.CanRead;

    public override bool CanSeek => _file.CanSeek;

    public override bool CanWrite => _file.CanWrite;

    public override long Length => _file.Length;

    public override long Position
    {
        get => _file.Position;
        set => _file.Position = value;
    }

    public override int Read(byte[] buffer, int offset, int count) => _file.Read(buffer, offset, count);

    public override int Read(Span<byte> buffer) => _file.Read(buffer);

    // Byte at a time from the FileStream's buffer (the base class would go through a one-byte array per call).
    public override int ReadByte() => _file.ReadByte();

    public override void WriteByte(byte value) => _file.WriteByte(value);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        Task.FromResult(_file.Read(buffer, offset, count));

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(_file.Read(buffer.Span));

    public override void Write(byte[] buffer, int offset, int count) => _file.Write(buffer, offset, count);

    public override void Write(ReadOnlySpan<byte> buffer) => _file.Write(buffer);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        _file.Write(buffer, offset, count);
        return Task.CompletedTask;
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        _file.Write(buffer.Span);
        return ValueTask.CompletedTask;
    }

    public override void Flush() => _file.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken)
    {
        _file.Flush();
        return Task.CompletedTask;
    }

    public override long Seek(long offset, SeekOrigin origin) => _file.Seek(offset, origin);

    public override void SetLength(long value) => _file.SetLength(value);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _file.Dispose();
        }

        base.Dispose(disposing);
    }

    public override ValueTask DisposeAsync()
    {
        _file.Dispose();
        return base.DisposeAsync();
    }
}
