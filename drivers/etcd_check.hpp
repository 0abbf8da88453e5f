// Checks of the store's etcd settings for `passgatectl check-config`, through the code the
// gate runs with: the TLS files load as EtcdClient loads them (the CA bundle, this box's
// certificate and its key, which must match), and the store CA vouches for the certificate
// as a TLS client, which is what every etcd member checks (--client-cert-auth).
#pragma once

#include "common/result.hpp"
#include "drivers/tls_context.hpp"

namespace passgate::drivers {

// Error codes: those of make_tls_client_context, and "tls_file" when the CA does not verify
// the certificate for client use (the message says OpenSSL's reason).
[[nodiscard]] Status check_store_tls(const TlsClientFiles& files);

}  // namespace passgate::drivers
