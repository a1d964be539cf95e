package dev.rtrs.webconsole.internal;

import dev.rtrs.block.RnbdClientAdmin;
import dev.rtrs.block.RnbdServerAdmin;
import dev.rtrs.transport.RtrsAdmin;
import java.util.Optional;

/**
 * The admin services the page reads and acts through, as they are at the moment of the call: each may come and go
 * with its feature, and an absent one leaves its part of the page out.
 */
interface AdminServices {

    Optional<RtrsAdmin> transport();

    Optional<RnbdClientAdmin> client();

    Optional<RnbdServerAdmin> server();
}
