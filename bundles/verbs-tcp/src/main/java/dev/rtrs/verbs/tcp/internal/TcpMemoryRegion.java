package dev.rtrs.verbs.tcp.internal;

import dev.rtrs.errno.Errno;
import dev.rtrs.verbs.Access;
import dev.rtrs.verbs.MemoryRegion;
import dev.rtrs.verbs.ProtectionDomain;
import dev.rtrs.verbs.VerbsException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A registered direct buffer. One atomic state word holds what the device accepts: the variant of the key
 * in force (set at registration and by REG_MR), whether remote access is allowed (cleared by LOCAL_INV and
 * SEND_WITH_INV), the access flags, and the number of device accesses in flight ("users": remote writes being
 * placed, READ responses being sent, local placements).
 *
 * <p>The guard: an access starts only by a compare-and-set on the state word that checks the key and flags,
 * so once an invalidation has cleared the valid bit no new access starts; the invalidation completes when
 * the users in flight are gone ({@link #whenFenced} defers its completion to the last {@link #release}).
 * {@link #close()} waits only for data copies actually running (microseconds); a placement that is waiting
 * for more bytes from the network is abandoned at its next copy instead.
 *
 * <p>Invalidation fences remote access. The lkey stays usable in local scatter/gather entries until the
 * region is closed or a REG_MR replaces its key (as a kernel ULP's local DMA key would).
 */
final class TcpMemoryRegion implements MemoryRegion {

    static final int INVALIDATED = 0;
    static final int DEFERRED = 1;
    static final int BAD_KEY = 2;

    /** Told when the accesses that were in flight at an invalidation have finished. */
    interface FenceWaiter {
        /** Called on the thread that ended the last access; must not block. */
        void fenced();
    }

    private static final long VARIANT_MASK = 0xFF;
    private static final long VALID = 1L << 8;
    private static final long CLOSED = 1L << 9;
    private static final long WAITERS = 1L << 10;
    private static final int ACCESS_SHIFT = 11;
    private static final long ACCESS_MASK = 7L << ACCESS_SHIFT;
    private static final long USER = 1L << 16;

    private final TcpProtectionDomain pd;
    private final MemoryTable table;
    private final int index;
    private final ByteBuffer memory;
    private final long address;
    private final int length;
    private volatile int key;
    private final AtomicLong state;
    private final AtomicInteger copying = new AtomicInteger();
    private List<FenceWaiter> waiters = new ArrayList<>(1); // guarded by this

    TcpMemoryRegion(
            TcpProtectionDomain pd,
            MemoryTable table,
            int index,
            int variant,
            long address,
            ByteBuffer memory,
            int access) {
        this.pd = pd;
        this.table = table;
        this.index = index;
        this.memory = memory;
        this.address = address;
        this.length = memory.limit();
        this.key = (index << 8) | variant;
        this.state = new AtomicLong(variant | VALID | ((long) access << ACCESS_SHIFT));
    }

    int index() {
        return index;
    }

    /** The variant of the last key this region handed out; the index's next region starts after it. */
    int lastVariant() {
        return Math.max(key & 0xFF, (int) (state.get() & VARIANT_MASK));
    }

    TcpProtectionDomain pd() {
        return pd;
    }

    /** Whether {@code [addr, addr + len)} lies inside the region. */
    boolean contains(long addr, long len) {
        return len >= 0 && addr >= address && addr - address <= length - len;
    }

    /**
     * Starts a remote access by {@code rkey} needing {@code access} flags: the key must be the one in force and
     * not invalidated. On success the caller must {@link #release()}.
     */
    boolean acquireRemote(int rkey, int access) {
        long need = (long) access << ACCESS_SHIFT;
        for (; ; ) {
            long s = state.get();
            if ((s & (VALID | CLOSED)) != VALID || (s & VARIANT_MASK) != (rkey & 0xFF) || (s & need) != need) {
                return false;
            }
            if (state.compareAndSet(s, s + USER)) {
                return true;
            }
        }
    }

    /** Whether {@code key} is the key in force (invalidated or not) of this open region. */
    boolean keyInForce(int key) {
        long s = state.get();
        return (s & CLOSED) == 0 && (s & VARIANT_MASK) == (key & 0xFF);
    }

    /** Whether local scatter/gather entries may use {@code lkey} (with LOCAL_WRITE when {@code write}). */
    boolean acceptsLocal(int lkey, boolean write) {
        long s = state.get();
        return localOk(s, lkey, write);
    }

    /** Starts a local placement (receive or READ destination); on success the caller must {@link #release()}. */
    boolean acquireLocal(int lkey) {
        for (; ; ) {
            long s = state.get();
            if (!localOk(s, lkey, true)) {
                return false;
            }
            if (state.compareAndSet(s, s + USER)) {
                return true;
            }
        }
    }

    private boolean localOk(long s, int lkey, boolean write) {
        int variant = lkey & 0xFF;
        boolean keyOk = (s & VARIANT_MASK) == variant || (key & 0xFF) == variant;
        boolean accessOk = !write || (s & ((long) Access.LOCAL_WRITE << ACCESS_SHIFT)) != 0;
        return (s & CLOSED) == 0 && keyOk && accessOk;
    }

    /** Ends an access started by {@link #acquireRemote} or {@link #acquireLocal}. Any thread. */
    void release() {
        long s = state.addAndGet(-USER);
        if ((s & ~(USER - 1)) == 0 && (s & WAITERS) != 0) {
            fireWaiters();
        }
    }

    /**
     * Invalidates {@code rkey}: no remote access starts after this returns.
     *
     * @return {@link #INVALIDATED}, {@link #DEFERRED} when accesses are in flight (the caller then waits for them
     *         with {@link #whenFenced}), or {@link #BAD_KEY} when the key is not the region's key in force
     */
    int invalidate(int rkey) {
        long s;
        long next;
        do {
            s = state.get();
            if ((s & CLOSED) != 0 || (s & VARIANT_MASK) != (rkey & 0xFF)) {
                return BAD_KEY;
            }
            next = s & ~VALID;
            if ((next & ~(USER - 1)) != 0) {
                next |= WAITERS;
            }
        } while (!state.compareAndSet(s, next));
        return (next & WAITERS) == 0 ? INVALIDATED : DEFERRED;
    }

    /**
     * After {@link #invalidate} returned {@link #DEFERRED}: tells {@code waiter} when the accesses in flight have
     * ended (or later ones, should new accesses and another invalidation come first). A separate step so that the
     * waiter is made only when needed, not per invalidation.
     *
     * @return false when they ended meanwhile: the invalidation is complete and {@code waiter} will not be told
     */
    synchronized boolean whenFenced(FenceWaiter waiter) {
        if ((state.get() & WAITERS) == 0) {
            return false;
        }
        waiters.add(waiter);
        return true;
    }

    /** REG_MR: makes {@code newKey} the key in force, valid, with {@code access}. False once closed. */
    boolean register(int newKey, int access) {
        for (; ; ) {
            long s = state.get();
            if ((s & CLOSED) != 0) {
                return false;
            }
            long next = (s & ~(VARIANT_MASK | ACCESS_MASK)) | VALID | (newKey & 0xFF) | ((long) access << ACCESS_SHIFT);
            if (state.compareAndSet(s, next)) {
                return true;
            }
        }
    }

    /** Announces a data copy into the region; false (and nothing to end) once it is closed. */
    boolean beginCopy() {
        copying.incrementAndGet();
        if ((state.get() & CLOSED) != 0) {
            copying.decrementAndGet();
            return false;
        }
        return true;
    }

    void endCopy() {
        copying.decrementAndGet();
    }

    /** A new view of the region's memory, for a {@link ViewPool} to lend again and again. */
    ByteBuffer newView() {
        return memory.duplicate();
    }

    /** Points a view of this region at {@code len} bytes at device address {@code addr}. */
    void reposition(ByteBuffer v, long addr, int len) {
        int offset = (int) (addr - address);
        v.limit(offset + len).position(offset);
    }

    boolean isClosed() {
        return (state.get() & CLOSED) != 0;
    }

    private void fireWaiters() {
        List<FenceWaiter> due;
        synchronized (this) {
            long s;
            do {
                s = state.get();
                if ((s & ~(USER - 1)) != 0 || (s & WAITERS) == 0) {
                    return;
                }
            } while (!state.compareAndSet(s, s & ~WAITERS));
            due = waiters;
            waiters = new ArrayList<>(1);
        }
        for (FenceWaiter w : due) {
            w.fenced();
        }
    }

    @Override
    public ProtectionDomain protectionDomain() {
        return pd;
    }

    @Override
    public ByteBuffer buffer() {
        return memory.duplicate().clear();
    }

    @Override
    public long address() {
        return address;
    }

    @Override
    public int length() {
        return length;
    }

    @Override
    public int lkey() {
        return key;
    }

    @Override
    public int rkey() {
        return key;
    }

    @Override
    public int access() {
        return (int) ((state.get() & ACCESS_MASK) >>> ACCESS_SHIFT);
    }

    @Override
    public boolean isRemotelyAccessible() {
        long s = state.get();
        return (s & (VALID | CLOSED)) == VALID && (s & VARIANT_MASK) == (key & 0xFF);
    }

    @Override
    public synchronized int updateKey() throws VerbsException {
        if ((state.get() & CLOSED) != 0) {
            throw new VerbsException(Errno.EBADF, "memory region is closed");
        }
        int k = key;
        key = (k & ~0xFF) | ((k + 1) & 0xFF);
        return key;
    }

    /** Deregisters: no key is accepted afterwards; waits only for data copies running at this moment. */
    @Override
    public void close() {
        for (; ; ) {
            long s = state.get();
            if ((s & CLOSED) != 0) {
                return;
            }
            if (state.compareAndSet(s, (s | CLOSED) & ~VALID)) {
                break;
            }
        }
        table.remove(this);
        pd.regionClosed();
        while (copying.get() != 0) {
            Thread.onSpinWait();
        }
    }

    @Override
    public String toString() {
        return "MR[key=0x" + Integer.toHexString(key) + ", 0x" + Long.toHexString(address) + "+" + length + ", "
                + Access.toString(access()) + "]";
    }
}
