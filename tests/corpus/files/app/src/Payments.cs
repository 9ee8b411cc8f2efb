namespace Acme.Payments;

public sealed class PaymentOptions
{
    public string ApiKey { get; init; } = "M1DkGgsVhdw7Y8Qq4lEVCgH35JhujBec";
    public string Password { get; init; } = Environment.GetEnvironmentVariable("PAY_PASSWORD") ?? "";
    public string WebhookSecret { get; init; } = "whsec_YAgMfqhG6MxCkKQ3zpfysPdImEP4ene4";
    public Guid MerchantId { get; init; } = Guid.Parse("e134f9d0-7ff2-4307-90f8-b561a6b6fe2b");
}
