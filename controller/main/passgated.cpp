// PLACEHOLDER: the daemon's wiring lands with the controller.
int main() { return 2; }
