// Tables for people: rows of cells (the first row the header), columns padded to their
// widest cell, two spaces apart; the last column is not padded.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace passgate::ctl {

using TableRows = std::vector<std::vector<std::string>>;

void print_table(const TableRows& rows, std::ostream& out);

}  // namespace passgate::ctl
