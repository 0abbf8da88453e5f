// The throwaway test CA of the tracking client tests, compiled into this executable too
// (each test folder is its own executable; see tests/tracking_client/test_certs.hpp).
#include "tests/tracking_client/test_certs.cpp"  // NOLINT(bugprone-suspicious-include)
