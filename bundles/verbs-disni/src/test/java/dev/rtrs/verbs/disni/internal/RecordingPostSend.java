package dev.rtrs.verbs.disni.internal;

import com.ibm.disni.verbs.IbvSendWR;
import com.ibm.disni.verbs.IbvSge;
import com.ibm.disni.verbs.SVCPostSend;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Stands in for DiSNI's prepared post-send call: its modifiers write into the {@link IbvSendWR} values it was
 * prepared with, as DiSNI's write into the native copy of them, so a test reads what the NIC would be handed.
 */
final class RecordingPostSend extends SVCPostSend {

    final List<IbvSendWR> wrs;
    private final Supplier<String> failures;
    int executions;
    boolean freed;

    /** @param failures gives the message of a native failure for the next execution, or null for success */
    RecordingPostSend(List<IbvSendWR> wrs, Supplier<String> failures) {
        this.wrs = new ArrayList<>(wrs);
        this.failures = failures;
    }

    RecordingPostSend(List<IbvSendWR> wrs) {
        this(wrs, () -> null);
    }

    @Override
    public SVCPostSend execute() throws IOException {
        if (freed) {
            throw new IOException("executed after free");
        }
        String failure = failures.get();
        if (failure != null) {
            throw new IOException(failure);
        }
        executions++;
        return this;
    }

    @Override
    public boolean isValid() {
        return !freed;
    }

    @Override
    public SVCPostSend free() {
        freed = true;
        return this;
    }

    @Override
    public SendWRMod getWrMod(int index) {
        IbvSendWR wr = wrs.get(index);
        return new SendWRMod() {
            @Override
            public void setWr_id(long id) {
                wr.setWr_id(id);
            }

            @Override
            public void setSend_flags(int flags) {
                wr.setSend_flags(flags);
            }

            @Override
            public long getWr_id() {
                return wr.getWr_id();
            }

            @Override
            public int getNum_sge() {
                return wr.getNum_sge();
            }

            @Override
            public int getOpcode() {
                return wr.getOpcode();
            }

            @Override
            public int getSend_flags() {
                return wr.getSend_flags();
            }

            @Override
            public RdmaMod getRdmaMod() {
                IbvSendWR.Rdma rdma = wr.getRdma();
                return new RdmaMod() {
                    @Override
                    public void setRemote_addr(long address) {
                        rdma.setRemote_addr(address);
                    }

                    @Override
                    public long getRemote_addr() {
                        return rdma.getRemote_addr();
                    }

                    @Override
                    public void setRkey(int rkey) {
                        rdma.setRkey(rkey);
                    }

                    @Override
                    public int getRkey() {
                        return rdma.getRkey();
                    }

                    @Override
                    public void setReserved(int reserved) {
                        rdma.setReserved(reserved);
                    }

                    @Override
                    public int getReserved() {
                        return rdma.getReserved();
                    }
                };
            }

            @Override
            public SgeMod getSgeMod(int sgeIndex) {
                IbvSge sge = wr.getSge(sgeIndex);
                return new SgeMod() {
                    @Override
                    public void setAddr(long address) {
                        sge.setAddr(address);
                    }

                    @Override
                    public long getAddr() {
                        return sge.getAddr();
                    }

                    @Override
                    public void setLength(int length) {
                        sge.setLength(length);
                    }

                    @Override
                    public int getLength() {
                        return sge.getLength();
                    }

                    @Override
                    public void setLkey(int lkey) {
                        sge.setLkey(lkey);
                    }

                    @Override
                    public int getLkey() {
                        return sge.getLkey();
                    }
                };
            }
        };
    }
}
