// PLACEHOLDER: removed when the token verifier lands.
namespace passgate::crypto {}
