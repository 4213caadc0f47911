// --control-group: who may use the control socket besides root. DPDK creates its runtime
// folder (/var/run/dpdk/PREFIX) 0700 and the telemetry socket with the umask; pktsieve-ctl,
// run by a member of the group, needs to reach and write the socket.
// Thread-safety: call once, on the main thread, after the EAL created the socket.
#pragma once

#include <string>

namespace pktsieve {

// The runtime folder becomes group-owned 0750, the telemetry socket in it 0660, and the folder
// above it (DPDK's base) traversable by others (0711: entering, not listing). Throws
// std::runtime_error naming what failed (an unknown group, a chown refused).
void open_control_to_group(const std::string& runtime_dir, const std::string& group);

}  // namespace pktsieve
