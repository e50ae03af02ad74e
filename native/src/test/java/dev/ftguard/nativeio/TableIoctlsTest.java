package dev.ftguard.nativeio;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ftguard.abi.Abi;
import dev.ftguard.abi.Errno;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * {@code struct ftg_table_arg} packing and the SET/GET protocol against a simulated module that
 * behaves as {@code kmod/include/uapi/ftguard.h} describes.
 */
class TableIoctlsTest {
  /** A module's side of the two ioctls, reading and writing the argument as the kernel would. */
  static final class FakeKernel implements TableIoctls.Ioctl {
    byte[] table; // null: none
    long generation;
    int rejectError; // non-zero: reject SET with EINVAL
    int rejectOffset;

    /** Bytes the table grows by after each GET that failed with ENOSPC (a concurrent writer). */
    int growAfterEnospc;

    final List<String> calls = new ArrayList<>();

    @Override
    public int call(long request, MemorySegment arg, String name) throws ErrnoException {
      calls.add(name + " size=" + arg.get(JAVA_INT, TableIoctls.SIZE));
      MemorySegment data =
          MemorySegment.ofAddress(arg.get(JAVA_LONG, TableIoctls.DATA))
              .reinterpret(Integer.toUnsignedLong(arg.get(JAVA_INT, TableIoctls.SIZE)));
      if (request == TableIoctls.IOC_SET_TABLE) {
        if (rejectError != 0) {
          arg.set(JAVA_INT, TableIoctls.ERROR, rejectError);
          arg.set(JAVA_INT, TableIoctls.ERROR_OFFSET, rejectOffset);
          throw new ErrnoException(name, "fake", rejectError == 18 ? Errno.ENOMEM : Errno.EINVAL);
        }
        table = data.toArray(JAVA_BYTE);
        arg.set(JAVA_LONG, TableIoctls.GENERATION, ++generation);
        arg.set(JAVA_INT, TableIoctls.ERROR, 0);
        return 0;
      }
      if (request == TableIoctls.IOC_GET_TABLE) {
        int needed = table == null ? 0 : table.length;
        arg.set(JAVA_INT, TableIoctls.NEEDED, needed);
        arg.set(JAVA_LONG, TableIoctls.GENERATION, generation);
        if (data.byteSize() < needed) {
          if (growAfterEnospc > 0) {
            table = new byte[table.length + growAfterEnospc];
            growAfterEnospc = 0;
            generation++;
          }
          throw new ErrnoException(name, "fake", Errno.ENOSPC);
        }
        if (needed > 0) {
          MemorySegment.copy(MemorySegment.ofArray(table), 0, data, 0, needed);
        }
        return 0;
      }
      throw new ErrnoException(name, "fake", Errno.ENOTTY);
    }
  }

  final FakeKernel kernel = new FakeKernel();

  @Test
  void structLayoutMatchesTheHeader() {
    // struct ftg_table_arg { __u64 data; __u32 size; __u32 needed; __u64 generation;
    //                        __u32 error; __u32 error_offset; }
    assertThat(TableIoctls.TABLE_ARG.byteSize()).isEqualTo(32);
    assertThat(TableIoctls.DATA).isZero();
    assertThat(TableIoctls.SIZE).isEqualTo(8);
    assertThat(TableIoctls.NEEDED).isEqualTo(12);
    assertThat(TableIoctls.GENERATION).isEqualTo(16);
    assertThat(TableIoctls.ERROR).isEqualTo(24);
    assertThat(TableIoctls.ERROR_OFFSET).isEqualTo(28);
    assertThat(TableIoctls.TABLE_ARG.byteAlignment()).isEqualTo(8);
  }

  @Test
  void ioctlNumbersAreIowrOfThe32ByteArgument() {
    // _IOWR('F', 3, struct ftg_table_arg): dir 3 << 30 | size 32 << 16 | 'F' << 8 | nr
    assertThat(TableIoctls.IOC_SET_TABLE).isEqualTo(0xC0204603L);
    assertThat(TableIoctls.IOC_GET_TABLE).isEqualTo(0xC0204604L);
  }

  @Test
  void setTablePassesPointerAndSizeAndReturnsTheGeneration() throws Exception {
    byte[] t = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    assertThat(TableIoctls.setTable(kernel, "/dev/ftguard", t)).isEqualTo(1);
    assertThat(kernel.table).containsExactly(t);
    assertThat(TableIoctls.setTable(kernel, "/dev/ftguard", new byte[16])).isEqualTo(2);
    assertThat(kernel.calls)
        .containsExactly("FTG_IOC_SET_TABLE size=9", "FTG_IOC_SET_TABLE size=16");
  }

  @Test
  void rejectionCarriesReasonAndOffset() {
    kernel.rejectError = 5;
    kernel.rejectOffset = 0x48;
    assertThatThrownBy(() -> TableIoctls.setTable(kernel, "/dev/ftguard", new byte[64]))
        .isInstanceOfSatisfying(
            TableRejectedException.class,
            e -> {
              assertThat(e.errno()).isEqualTo(Errno.EINVAL);
              assertThat(e.error()).isEqualTo(5);
              assertThat(e.offset()).isEqualTo(72);
              assertThat(e.errorName()).isEqualTo("FTG_TERR_SECTION");
              assertThat(e.reason()).contains("section").contains("overlapping");
              assertThat(e.getMessage())
                  .isEqualTo(
                      "ioctl(FTG_IOC_SET_TABLE) /dev/ftguard: EINVAL (table rejected: a section is"
                          + " outside the table, misaligned or overlapping another (FTG_TERR_SECTION)"
                          + " at byte offset 72)");
            });
    assertThat(kernel.table).isNull();
  }

  @Test
  void outOfMemoryIsARejectionWithEnomem() {
    kernel.rejectError = TableRejectedException.NOMEM;
    assertThatThrownBy(() -> TableIoctls.setTable(kernel, "/dev/ftguard", new byte[8]))
        .isInstanceOfSatisfying(
            TableRejectedException.class,
            e -> {
              assertThat(e.errno()).isEqualTo(Errno.ENOMEM);
              assertThat(e.errorName()).isEqualTo("FTG_TERR_NOMEM");
            });
  }

  @Test
  void einvalWithoutAReasonStaysAPlainErrnoException() {
    TableIoctls.Ioctl einval =
        (r, a, n) -> {
          throw new ErrnoException(n, "fake", Errno.EINVAL);
        };
    assertThatThrownBy(() -> TableIoctls.setTable(einval, "fake", new byte[8]))
        .isExactlyInstanceOf(ErrnoException.class);
  }

  @Test
  void everyReasonHasANameAndWords() {
    assertThat(TableRejectedException.knownReasons()).isEqualTo(Abi.TERR_NOT_INJECTABLE + 1);
    for (int i = 0; i < TableRejectedException.knownReasons(); i++) {
      assertThat(TableRejectedException.errorName(i)).startsWith("FTG_TERR_");
      assertThat(TableRejectedException.reason(i)).isNotBlank();
    }
    assertThat(TableRejectedException.errorName(17)).isEqualTo("FTG_TERR_MASK");
    assertThat(TableRejectedException.errorName(99)).isEqualTo("FTG_TERR_99");
    assertThat(TableRejectedException.reason(99)).contains("unknown reason 99");
  }

  @Test
  void getWithoutATableIsEmptyAfterOneCall() throws Exception {
    assertThat(TableIoctls.getTable(kernel, "fake")).isEmpty();
    assertThat(kernel.calls).containsExactly("FTG_IOC_GET_TABLE size=0");
  }

  @Test
  void getAsksForTheSizeThenReads() throws Exception {
    byte[] t = new byte[200];
    for (int i = 0; i < t.length; i++) {
      t[i] = (byte) i;
    }
    TableIoctls.setTable(kernel, "fake", t);
    kernel.calls.clear();
    Optional<KernelTable> got = TableIoctls.getTable(kernel, "fake");
    assertThat(got).contains(new KernelTable(1, t));
    assertThat(kernel.calls)
        .containsExactly("FTG_IOC_GET_TABLE size=0", "FTG_IOC_GET_TABLE size=200");
  }

  @Test
  void getRetriesWhenTheTableGrewInBetween() throws Exception {
    kernel.table = new byte[100];
    kernel.generation = 4;
    kernel.growAfterEnospc = 50; // a writer replaces it right after the size probe
    KernelTable got = TableIoctls.getTable(kernel, "fake").orElseThrow();
    assertThat(got.size()).isEqualTo(150);
    assertThat(got.generation()).isEqualTo(5);
    assertThat(kernel.calls)
        .containsExactly(
            "FTG_IOC_GET_TABLE size=0", "FTG_IOC_GET_TABLE size=100", "FTG_IOC_GET_TABLE size=150");
  }

  @Test
  void getGivesUpOnATableThatNeverFits() {
    TableIoctls.Ioctl liar =
        (r, arg, n) -> {
          arg.set(JAVA_INT, TableIoctls.NEEDED, 0); // never says how much
          throw new ErrnoException(n, "fake", Errno.ENOSPC);
        };
    assertThatThrownBy(() -> TableIoctls.getTable(liar, "fake"))
        .isInstanceOfSatisfying(
            ErrnoException.class,
            e -> {
              assertThat(e.errno()).isEqualTo(Errno.ENOSPC);
              assertThat(e.getMessage()).contains("FTG_IOC_GET_TABLE");
            });
  }

  @Test
  void getRefusesASizeAboveTheTableMaximum() {
    TableIoctls.Ioctl huge =
        (r, arg, n) -> {
          arg.set(JAVA_INT, TableIoctls.NEEDED, TableIoctls.TABLE_MAX + 8);
          throw new ErrnoException(n, "fake", Errno.ENOSPC);
        };
    assertThatThrownBy(() -> TableIoctls.getTable(huge, "fake"))
        .hasMessageContaining("FTG_TABLE_MAX");
  }

  @Test
  void otherErrorsPassThrough() {
    TableIoctls.Ioctl eperm =
        (r, a, n) -> {
          throw new ErrnoException(n, "fake", Errno.EPERM);
        };
    assertThatThrownBy(() -> TableIoctls.getTable(eperm, "fake"))
        .isInstanceOfSatisfying(
            ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EPERM));
  }

  @Test
  void kernelTableIsAValue() {
    byte[] b = {1, 2};
    KernelTable t = new KernelTable(3, b);
    b[0] = 9;
    assertThat(t.bytes()).containsExactly(1, 2);
    assertThat(t)
        .isEqualTo(new KernelTable(3, new byte[] {1, 2}))
        .isNotEqualTo(new KernelTable(4, new byte[] {1, 2}));
    assertThat(t.toString()).isEqualTo("KernelTable[generation=3, 2 bytes: 0102]");
    assertThat(ByteOrder.nativeOrder())
        .isEqualTo(ByteOrder.LITTLE_ENDIAN); // layouts are host order
  }
}
