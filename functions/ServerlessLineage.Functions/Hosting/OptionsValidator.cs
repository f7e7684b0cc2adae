using Microsoft.Extensions.Options;

namespace ServerlessLineage.Functions.Hosting;

/// <summary>
/// Adapts an options class's own <c>Validate()</c> (a list of messages naming the setting) to <see cref="IValidateOptions{T}"/>,
/// so a misconfigured app fails at start-up with every problem listed, not at the first trigger.
/// </summary>
internal sealed class OptionsValidator<T>(Func<T, IReadOnlyList<string>> validate) : IValidateOptions<T>
    where T : class
{
    public ValidateOptionsResult Validate(string? name, T options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = validate(options);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
