// pktsieve: parse the command line, then hand over to the runtime. Nothing else lives here.
#include <iostream>

#include "config/options.hpp"
#include "dataplane/runtime.hpp"
#include "version.hpp"

int main(int argc, char** argv) {
    try {
        const auto cl = pktsieve::parse_command_line(argc, argv);
        if (cl.opts.help) {
            std::cout << pktsieve::help_text();
            return 0;
        }
        if (cl.opts.version) {
            std::cout << "pktsieve " << pktsieve::kVersion << "\n";
            return 0;
        }
        return pktsieve::run(cl);
    } catch (const std::exception& e) {
        std::cerr << "pktsieve: " << e.what() << "\n";
        return 2;
    }
}
