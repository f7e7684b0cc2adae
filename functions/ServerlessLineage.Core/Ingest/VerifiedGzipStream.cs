using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;
using ServerlessLineage.Core.IO;

namespace ServerlessLineage.Core.Ingest;

/// <summary>
/// Decompresses gzip and, at the end, checks the gzip trailer (CRC-32 and length of the data) against what was decompressed.
/// <see cref="GZipStream"/> alone reports a truncated file as a normal end of data, which would drop the missing rows
/// silently. Files of several concatenated gzip members fail the check (their trailer covers only the last member) and are
/// rejected with a message saying so, never read partially.
/// </summary>
internal sealed class VerifiedGzipStream : ReadOnlyStream
{
    private readonly TailStream _compressed;
    private readonly GZipStream _gzip;
    private readonly Crc32 _crc = new();
    private long _length;
    private bool _verified;

    public VerifiedGzipStream(Stream compressed)
    {
        _compressed = new TailStream(compressed);
        _gzip = new GZipStream(_compressed, CompressionMode.Decompress);
    }

    public override int Read(Span<byte> buffer)
    {
        var read = _gzip.Read(buffer);
        if (read > 0)
        {
            _crc.Append(buffer[..read]);
            _length += read;
            return read;
        }

        if (!_verified && buffer.Length > 0)
        {
            Verify();
            _verified = true;
        }

        return 0;
    }

    private void Verify()
    {
        var tail = _compressed.Tail;
        if (tail.Length < 8)
        {
            throw new InvalidDataException("the gzip data ends before its trailer (truncated file)");
        }

        var expectedCrc = BinaryPrimitives.ReadUInt32LittleEndian(tail[^8..]);
        var expectedLength = BinaryPrimitives.ReadUInt32LittleEndian(tail[^4..]);
        if (expectedCrc != _crc.GetCurrentHashAsUInt32() || expectedLength != (uint)_length)
        {
            throw new InvalidDataException(
                $"the gzip trailer does not match the {_length:N0} bytes decompressed: the file is truncated or corrupt, or made of several concatenated gzip members (recompress it as one)");
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _gzip.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>Passes reads through and remembers the last 8 bytes read (the gzip trailer at the end).</summary>
    private sealed class TailStream(Stream inner) : ReadOnlyStream
    {
        private readonly byte[] _tail = new byte[8];
        private int _tailLength;

        public ReadOnlySpan<byte> Tail => _tail.AsSpan(0, _tailLength);

        public override int Read(Span<byte> buffer)
        {
            var read = inner.Read(buffer);
            Remember(buffer[..read]);
            return read;
        }

        private void Remember(ReadOnlySpan<byte> bytes)
        {
            if (bytes.Length >= 8)
            {
                bytes[^8..].CopyTo(_tail);
                _tailLength = 8;
                return;
            }

            var keep = Math.Min(_tailLength, 8 - bytes.Length);
            _tail.AsSpan(_tailLength - keep, keep).CopyTo(_tail);
            bytes.CopyTo(_tail.AsSpan(keep));
            _tailLength = keep + bytes.Length;
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
}
