package dev.rtrs.block.client.internal.nbd;

import dev.rtrs.block.BlockCompletion;
import dev.rtrs.block.backend.AbstractBlockDevice;
import java.nio.ByteBuffer;
import java.util.Arrays;

/** A block device in a byte array, completing inline: enough to exercise the gateway. */
final class ArrayDevice extends AbstractBlockDevice {

    final byte[] data;

    ArrayDevice(String name, int size, boolean readOnly) {
        super(name, size, 512, 4096, readOnly);
        this.data = new byte[size];
    }

    @Override
    public boolean hasWriteCache() {
        return false;
    }

    @Override
    public boolean supportsFua() {
        return true;
    }

    @Override
    public boolean supportsDiscard() {
        return true;
    }

    @Override
    public boolean supportsWriteZeroes() {
        return true;
    }

    @Override
    protected synchronized void doRead(long offset, ByteBuffer dst, BlockCompletion done) {
        // absolute bulk put: allocates nothing (the gateway's allocation test runs through it)
        dst.put(dst.position(), data, (int) offset, dst.remaining());
        done.complete(0);
    }

    @Override
    protected synchronized void doWrite(long offset, ByteBuffer src, boolean fua, BlockCompletion done) {
        src.get(src.position(), data, (int) offset, src.remaining());
        done.complete(0);
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
