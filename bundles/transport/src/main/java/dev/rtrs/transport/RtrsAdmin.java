package dev.rtrs.transport;

import java.util.List;
import java.util.Map;

import org.osgi.annotation.versioning.ProviderType;

/** What an operator sees of the transport: its client sessions and its servers. A service of the transport. */
@ProviderType
public interface RtrsAdmin {

    /** Client sessions open now, through any client of this transport. */
    List<ClientSession> clientSessions();

    /** Servers listening now. */
    List<ServerEndpoint> servers();

    /** The multipath policies installed now, by name, with their aliases. */
    Map<String, List<String>> policies();
}
