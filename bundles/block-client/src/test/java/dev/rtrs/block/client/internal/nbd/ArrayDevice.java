package dev.rtrs.block.client.internal.nbd;

import dev.rtrs.block.BlockCompletion;
import dev.rtrs.block.BlockStatusReceiver;
import dev.rtrs.block.backend.AbstractBlockDevice;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * A block device in a byte array, completing inline: enough to exercise the gateway. Its block status calls a
 * sector of zeroes a hole; reads and writes fail with {@link #failWith} when set.
 */
final class ArrayDevice extends AbstractBlockDevice {

    final byte[] data;
    private final boolean zeroes;
    private final boolean fua;
    /** Errno that reads and writes complete with; 0 for none. */
    volatile int failWith;

    ArrayDevice(String name, int size, boolean readOnly) {
        this(name, size, readOnly, true, true);
    }

    /** With or without native write-zeroes and FUA. */
    ArrayDevice(String name, int size, boolean readOnly, boolean writeZeroes, boolean fua) {
        super(name, size, 512, 4096, readOnly);
        this.data = new byte[size];
        this.zeroes = writeZeroes;
        this.fua = fua;
    }

    @Override
    public boolean hasWriteCache() {
        return false;
    }

    @Override
    public boolean supportsFua() {
        return fua;
    }

    @Override
    public boolean supportsDiscard() {
        return true;
    }

    @Override
    public boolean supportsWriteZeroes() {
        return zeroes;
    }

    @Override
    protected synchronized void doRead(long offset, ByteBuffer dst, BlockCompletion done) {
        if (failWith != 0) {
            done.complete(failWith);
            return;
        }
        // absolute bulk put: allocates nothing (the gateway's allocation test runs through it)
        dst.put(dst.position(), data, (int) offset, dst.remaining());
        done.complete(0);
    }

    @Override
    protected synchronized void doWrite(long offset, ByteBuffer src, boolean fua, BlockCompletion done) {
        if (failWith != 0) {
            done.complete(failWith);
            return;
        }
        src.get(src.position(), data, (int) offset, src.remaining());
        done.complete(0);
    }

    /** One extent per sector: HOLE and ZERO for a sector of zeroes, else data; the gateway merges them. */
    @Override
    protected synchronized void doBlockStatus(long offset, long length, BlockStatusReceiver receiver) {
        for (long at = offset; at < offset + length; at += 512) {
            boolean zero = true;
            for (int i = 0; i < 512 && zero; i++) {
                zero = data[(int) at + i] == 0;
            }
            if (!receiver.extent(512, zero ? BlockStatusReceiver.HOLE | BlockStatusReceiver.ZERO : 0)) {
                break;
            }
        }
        receiver.complete(0);
    }

    @Override
    protected void doFlush(BlockCompletion done) {
        done.complete(0);
    }

    @Override
    protected void doDiscard(long offset, long length, BlockCompletion done) {
        doWriteZeroes(offset, length, done);
    }

    @Override
    protected synchronized void doWriteZeroes(long offset, long length, BlockCompletion done) {
        Arrays.fill(data, (int) offset, (int) (offset + length), (byte) 0);
        done.complete(0);
    }

    @Override
    protected void doClose() {}
}
