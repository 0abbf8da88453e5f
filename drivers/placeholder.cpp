// PLACEHOLDER: removed when the first driver lands.
namespace passgate::drivers {}
