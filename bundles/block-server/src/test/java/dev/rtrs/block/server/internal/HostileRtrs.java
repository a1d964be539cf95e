package dev.rtrs.block.server.internal;

import dev.rtrs.verbs.Access;
import dev.rtrs.verbs.MemoryRegion;
import dev.rtrs.verbs.ProtectionDomain;
import dev.rtrs.verbs.VerbsException;
import dev.rtrs.verbs.VerbsProvider;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * A client that speaks RTRS by hand on the verbs API and sends whatever it is told: any CON_REQ private data, any
 * INFO_REQ bytes, any immediate, RDMA writes into the announced chunks or anywhere else. Its memory, registered once
 * and shared by its links one after the other: a staging slot per chunk for request images, a READ target per chunk
 * (a region each, so that one can be renewed after the server invalidates its key), and the receive slots.
 */
final class HostileRtrs implements AutoCloseable {

    static final int RECEIVE_SLOT = 1024;

    final VerbsProvider provider;
    final InetSocketAddress server;
    final int slots;
    final int slotSize;
    final ProtectionDomain pd;
    final MemoryRegion out;
    final MemoryRegion receive;
    private final ByteBuffer targetMemory;
    private final MemoryRegion[] targets;

    HostileRtrs(VerbsProvider provider, InetSocketAddress server, int slots, int slotSize) throws VerbsException {
        this.provider = provider;
        this.server = server;
        this.slots = slots;
        this.slotSize = slotSize;
        this.pd = provider.devices().get(0).allocateProtectionDomain();
        this.out = pd.register(ByteBuffer.allocateDirect(slots * slotSize), Access.LOCAL_WRITE);
        this.receive =
                pd.register(ByteBuffer.allocateDirect(HostileLink.RECEIVE_DEPTH * RECEIVE_SLOT), Access.LOCAL_WRITE);
        this.targetMemory = ByteBuffer.allocateDirect(slots * slotSize);
        this.targets = new MemoryRegion[slots];
        for (int i = 0; i < slots; i++) {
            targets[i] = registerTarget(i);
        }
    }

    private MemoryRegion registerTarget(int slot) throws VerbsException {
        ByteBuffer b = targetMemory.duplicate();
        b.limit((slot + 1) * slotSize).position(slot * slotSize);
        return pd.register(b.slice(), Access.LOCAL_WRITE | Access.REMOTE_WRITE);
    }

    int slotBase(int chunk) {
        return chunk * slotSize;
    }

    /** Where the server writes a READ's data for the IO in {@code slot}. */
    MemoryRegion target(int slot) {
        return targets[slot];
    }

    /** The server invalidated a READ target's key (SEND_WITH_INV): register that target again. */
    void renewTarget(int rkey) {
        for (int i = 0; i < slots; i++) {
            if (targets[i].rkey() == rkey) {
                targets[i].close();
                try {
                    targets[i] = registerTarget(i);
                } catch (VerbsException e) {
                    throw new IllegalStateException("cannot register READ target " + i, e);
                }
            }
        }
    }

    /**
     * A new link. A READ target whose key the server invalidated (SEND_WITH_INV) just before the previous link broke
     * was never renewed, as that completion was never polled: renewed here, or every READ of the new session would
     * name a dead key and the server would close it for the remote access error.
     */
    HostileLink link() throws VerbsException {
        for (int i = 0; i < slots; i++) {
            if (!targets[i].isRemotelyAccessible()) {
                targets[i].close();
                targets[i] = registerTarget(i);
            }
        }
        return new HostileLink(this);
    }

    @Override
    public void close() {
        for (MemoryRegion mr : targets) {
            mr.close();
        }
        out.close();
        receive.close();
        pd.close();
    }
}
