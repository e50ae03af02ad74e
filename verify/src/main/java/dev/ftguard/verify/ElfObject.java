package dev.ftguard.verify;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;
import net.fornwall.jelf.ElfException;
import net.fornwall.jelf.ElfFile;
import net.fornwall.jelf.ElfRelocationAddend;
import net.fornwall.jelf.ElfRelocationAddendSection;
import net.fornwall.jelf.ElfSection;
import net.fornwall.jelf.ElfSectionHeader;
import net.fornwall.jelf.ElfSymbol;
import net.fornwall.jelf.ElfSymbolTableSection;

/**
 * An x86-64 relocatable ELF object (a kernel module {@code .ko} or a {@code .o}) as the verifier
 * needs it: sections, symbols and RELA relocations, read with jelf. Offsets are section offsets, as
 * everywhere in a relocatable object.
 *
 * <p>A little over 500 lines on purpose: every check that the file's own offsets and counts stay
 * inside the file (a truncated or corrupted module must give one located line, not a library
 * exception) sits beside the read it guards, and splitting the reads from their checks would
 * separate the two.
 */
public final class ElfObject {
  /** {@code SHT_RELA}, {@code SHF_EXECINSTR}, {@code SHN_*}. */
  static final int SHT_RELA = 4;

  static final int SHT_NOBITS = 8;
  static final long SHF_EXECINSTR = 0x4;
  static final int SHN_UNDEF = 0;
  static final int SHN_LORESERVE = 0xff00;
  static final int SHN_XINDEX = 0xffff;

  /** x86-64 relocation types the verifier resolves. */
  static final int R_X86_64_64 = 1;

  static final int R_X86_64_PC32 = 2;
  static final int R_X86_64_PLT32 = 4;
  static final int R_X86_64_GOTPCREL = 9;
  static final int R_X86_64_32 = 10;
  static final int R_X86_64_32S = 11;
  static final int R_X86_64_PC16 = 13;
  static final int R_X86_64_PC8 = 15;
  static final int R_X86_64_PC64 = 24;
  static final int R_X86_64_GOTPCRELX = 41;
  static final int R_X86_64_REX_GOTPCRELX = 42;

  /** A section header. */
  public record Section(int index, String name, int type, long flags, long size) {
    public boolean executable() {
      return (flags & SHF_EXECINSTR) != 0;
    }
  }

  /**
   * A symbol table entry; a section symbol is named after its section (as objdump shows it).
   *
   * @param sectionIndex {@code st_shndx}: 0 for an undefined symbol
   */
  public record Symbol(int index, String name, long value, long size, int type, int sectionIndex) {
    public static final int STT_OBJECT = 1;
    public static final int STT_FUNC = 2;
    public static final int STT_SECTION = 3;

    /** Defined in a section of this object (not undefined, absolute or common). */
    public boolean defined() {
      return sectionIndex != SHN_UNDEF && sectionIndex < SHN_LORESERVE;
    }

    public boolean function() {
      return type == STT_FUNC;
    }

    public boolean contains(int section, long offset) {
      return defined()
          && sectionIndex == section
          && offset >= value
          && (offset < value + size || (size == 0 && offset == value));
    }
  }

  /**
   * A RELA relocation of a section.
   *
   * @param offset where it applies, in the relocated section
   */
  public record Relocation(long offset, int type, Symbol symbol, long addend) {
    /** PC-relative: the value is relative to the place (and, for branches, the next insn). */
    public boolean pcRelative() {
      return switch (type) {
        case R_X86_64_PC32,
            R_X86_64_PLT32,
            R_X86_64_GOTPCREL,
            R_X86_64_PC16,
            R_X86_64_PC8,
            R_X86_64_PC64,
            R_X86_64_GOTPCRELX,
            R_X86_64_REX_GOTPCRELX ->
            true;
        default -> false;
      };
    }
  }

  private final Path file;
  private final ElfFile elf;
  private final List<Section> sections;
  private final List<Symbol> symbols;

  /** Relocation section indexes by the index of the section they relocate. */
  private final Map<Integer, List<Integer>> relaFor = new HashMap<>();

  private final Map<Integer, NavigableMap<Long, Relocation>> relocations = new HashMap<>();
  private final Map<Integer, byte[]> data = new HashMap<>();

  /** Function symbols per section, sorted by address then size (largest first). */
  private Map<Integer, List<Symbol>> functionsBySection;

  private ElfObject(Path file, ElfFile elf, List<Section> sections, List<Symbol> symbols) {
    this.file = file;
    this.elf = elf;
    this.sections = sections;
    this.symbols = symbols;
  }

  /**
   * Reads {@code file}.
   *
   * @throws VerifyException when it is missing, unreadable, not ELF, or not a 64-bit little-endian
   *     x86-64 relocatable object
   */
  public static ElfObject read(Path file) throws VerifyException {
    byte[] bytes = bytes(file);
    if (bytes.length < 4
        || bytes[0] != 0x7f
        || bytes[1] != 'E'
        || bytes[2] != 'L'
        || bytes[3] != 'F') {
      throw new VerifyException(
          VerifyException.Kind.NOT_ELF,
          file
              + (bytes.length == 0 ? " is empty" : " is not an ELF file (no \\x7fELF magic)")
              + ": give the built module, e.g. ftguard.ko");
    }
    String truncated = truncated(bytes);
    if (truncated != null) {
      throw new VerifyException(
          VerifyException.Kind.NOT_ELF, file + " is truncated: " + truncated + "; " + REBUILD);
    }
    ElfFile elf;
    try {
      emptyNotesAsProgbits(bytes);
      elf = ElfFile.from(bytes);
    } catch (RuntimeException e) {
      throw corrupted(file, e);
    }
    String kind = describe(elf);
    if (kind != null) {
      throw new VerifyException(
          VerifyException.Kind.NOT_X86_64_RELOCATABLE,
          file
              + " is "
              + kind
              + ", not an x86-64 relocatable object: give a kernel module (.ko) built for x86-64");
    }
    try {
      return load(file, elf);
    } catch (RuntimeException e) {
      throw corrupted(file, e);
    }
  }

  /** Largest module file read: far above any ftguard.ko, even with debug information. */
  public static final long MAX_BYTES = 256L << 20;

  private static final String REBUILD = "rebuild it (ftguard load --build-only) or copy it again";

  /**
   * The file's bytes: a regular file (a FIFO, socket or device is refused without being opened) of
   * at most {@link #MAX_BYTES}.
   */
  private static byte[] bytes(Path file) throws VerifyException {
    BasicFileAttributes a;
    try {
      a = Files.readAttributes(file, BasicFileAttributes.class);
    } catch (NoSuchFileException e) {
      throw new VerifyException(
          VerifyException.Kind.UNREADABLE, file + " does not exist: check the path");
    } catch (IOException e) {
      throw new VerifyException(
          VerifyException.Kind.UNREADABLE, "cannot look at " + file + ": " + e.getMessage());
    }
    if (a.isDirectory()) {
      throw new VerifyException(
          VerifyException.Kind.UNREADABLE,
          file + " is a directory, not a module file: give the built module, e.g. ftguard.ko");
    }
    if (!a.isRegularFile()) {
      throw new VerifyException(
          VerifyException.Kind.UNREADABLE,
          file
              + " is not a regular file (a FIFO, socket or device): give the built module, e.g."
              + " ftguard.ko");
    }
    if (a.size() > MAX_BYTES) {
      throw new VerifyException(
          VerifyException.Kind.UNREADABLE,
          file
              + " is "
              + a.size()
              + " bytes, more than the "
              + (MAX_BYTES >> 20)
              + " MiB a module file may have: give the built module, e.g. ftguard.ko");
    }
    try (var in = Files.newInputStream(file)) {
      byte[] bytes = in.readNBytes((int) MAX_BYTES + 1);
      if (bytes.length > MAX_BYTES) {
        throw new VerifyException(
            VerifyException.Kind.UNREADABLE,
            file + " grew past " + (MAX_BYTES >> 20) + " MiB while being read: check the file");
      }
      return bytes;
    } catch (AccessDeniedException e) {
      throw new VerifyException(
          VerifyException.Kind.UNREADABLE,
          "cannot read " + file + ": permission denied (check its mode, or run with sudo)");
    } catch (IOException e) {
      throw new VerifyException(
          VerifyException.Kind.UNREADABLE, "cannot read " + file + ": " + e.getMessage());
    }
  }

  /**
   * What is cut off in a 64-bit little-endian ELF file: the ELF header, or the section header table
   * (which the linker writes at the end); null when both are there (or another class: left to
   * jelf).
   */
  static String truncated(byte[] b) {
    if (b.length < 16 || b[4] != 2 || b[5] != 1) {
      return b.length < 16 ? "its " + b.length + " bytes end inside the ELF header" : null;
    }
    if (b.length < 64) {
      return "its " + b.length + " bytes end inside the 64-byte ELF header";
    }
    java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    long shoff = buf.getLong(0x28);
    long end = shoff + (long) Short.toUnsignedInt(buf.getShort(0x3a)) * buf.getShort(0x3c);
    if (shoff < 0 || end > b.length) {
      return "its section headers end at byte "
          + Long.toUnsignedString(end)
          + " but the file has "
          + b.length
          + " bytes";
    }
    return null;
  }

  /** A header or table that points outside the file or holds nonsense, said in one line. */
  private static VerifyException corrupted(Path file, RuntimeException e) {
    String detail = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return new VerifyException(
        VerifyException.Kind.NOT_ELF,
        file
            + " is a corrupted ELF file (a header or table points outside the file or holds"
            + " invalid values: "
            + detail.lines().findFirst().orElse("")
            + "); "
            + REBUILD);
  }

  /**
   * Marks empty SHT_NOTE sections SHT_PROGBITS, in place. Newer binutils (Debian sid's, which
   * builds the 7.2 modules) leave an empty {@code .note.GNU-stack} of type NOTE in a module linked
   * with an assembly object, and jelf reads a note header from an empty note section (beyond it):
   * an empty section holds no note either way. Only for 64-bit little-endian files with their
   * section headers inside the file; anything else is left for jelf to judge.
   */
  static void emptyNotesAsProgbits(byte[] b) {
    if (b.length < 64 || b[4] != 2 || b[5] != 1) {
      return;
    }
    java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    long shoff = buf.getLong(0x28);
    int shentsize = Short.toUnsignedInt(buf.getShort(0x3a));
    int shnum = Short.toUnsignedInt(buf.getShort(0x3c));
    if (shentsize < 64 || shoff < 0 || shoff + (long) shentsize * shnum > b.length) {
      return;
    }
    for (int i = 0; i < shnum; i++) {
      int h = (int) (shoff + (long) i * shentsize);
      if (buf.getInt(h + 4) == ElfSectionHeader.SHT_NOTE && buf.getLong(h + 0x20) == 0) {
        buf.putInt(h + 4, ElfSectionHeader.SHT_PROGBITS);
      }
    }
  }

  /** What the file is when it is not an x86-64 relocatable object, else null. */
  private static String describe(ElfFile elf) {
    List<String> wrong = new ArrayList<>();
    if (elf.ei_class != ElfFile.CLASS_64) {
      wrong.add("32-bit");
    }
    if (elf.ei_data != ElfFile.DATA_LSB) {
      wrong.add("big-endian");
    }
    if (elf.e_machine != ElfFile.ARCH_X86_64) {
      wrong.add("for machine " + Short.toUnsignedInt(elf.e_machine));
    }
    if (elf.e_type != ElfFile.ET_REL) {
      wrong.add(
          switch (elf.e_type) {
            case ElfFile.ET_EXEC -> "an executable";
            case ElfFile.ET_DYN -> "a shared object or position-independent executable";
            case ElfFile.ET_CORE -> "a core dump";
            default -> "of ELF type " + Short.toUnsignedInt(elf.e_type);
          });
    }
    return wrong.isEmpty() ? null : "an ELF file " + String.join(", ", wrong);
  }

  private static ElfObject load(Path file, ElfFile elf) throws ElfException {
    int shnum = Short.toUnsignedInt(elf.e_shnum);
    List<Section> sections = new ArrayList<>(shnum);
    for (int i = 0; i < shnum; i++) {
      ElfSectionHeader h = elf.getSection(i).header;
      String name = i == 0 ? "" : h.getName();
      sections.add(new Section(i, name == null ? "" : name, h.sh_type, h.sh_flags, h.sh_size));
    }
    List<Symbol> symbols = new ArrayList<>();
    ElfSymbolTableSection symtab = elf.getSymbolTableSection();
    if (symtab != null) {
      ElfSymbol[] raw = symtab.symbols;
      for (int i = 0; i < raw.length; i++) {
        ElfSymbol s = raw[i];
        int shndx = Short.toUnsignedInt(s.st_shndx);
        if (shndx == SHN_XINDEX) {
          throw new ElfException(
              "symbol "
                  + i
                  + " uses extended section numbering (SHN_XINDEX), which is not supported");
        }
        String name;
        if (s.getType() == Symbol.STT_SECTION && shndx < sections.size()) {
          name = sections.get(shndx).name();
        } else {
          name = s.st_name == 0 ? "" : s.getName();
        }
        symbols.add(
            new Symbol(i, name == null ? "" : name, s.st_value, s.st_size, s.getType(), shndx));
      }
    }
    ElfObject o =
        new ElfObject(file, elf, List.copyOf(sections), Collections.unmodifiableList(symbols));
    for (Section s : sections) {
      if (s.type() == SHT_RELA) {
        int target = elf.getSection(s.index()).header.sh_info;
        o.relaFor.computeIfAbsent(target, k -> new ArrayList<>()).add(s.index());
      }
    }
    return o;
  }

  public Path file() {
    return file;
  }

  public List<Section> sections() {
    return sections;
  }

  public Section section(int index) {
    return sections.get(index);
  }

  public Optional<Section> section(String name) {
    return sections.stream().filter(s -> s.name().equals(name)).findFirst();
  }

  public List<Symbol> symbols() {
    return symbols;
  }

  /** The bytes of a section (empty for SHT_NOBITS). */
  public synchronized byte[] data(Section section) {
    return data.computeIfAbsent(
        section.index(),
        i -> {
          if (section.type() == SHT_NOBITS || section.size() == 0) {
            return new byte[0];
          }
          try {
            return elf.getSection(i).getData();
          } catch (ElfException e) {
            throw new IllegalStateException(file + ": cannot read section " + section.name(), e);
          }
        });
  }

  /** The relocations that apply to a section, by offset. */
  public synchronized NavigableMap<Long, Relocation> relocations(Section section) {
    return relocations.computeIfAbsent(
        section.index(),
        i -> {
          NavigableMap<Long, Relocation> out = new TreeMap<>();
          for (int rela : relaFor.getOrDefault(i, List.of())) {
            ElfSection s;
            try {
              s = elf.getSection(rela);
            } catch (ElfException e) {
              throw new IllegalStateException(
                  file + ": cannot read relocations of " + section.name(), e);
            }
            if (!(s instanceof ElfRelocationAddendSection r)) {
              continue;
            }
            for (ElfRelocationAddend a : r.relocations) {
              int sym = a.getSymbolIndex();
              if (sym < 0 || sym >= symbols.size()) {
                throw new IllegalStateException(
                    file
                        + ": a relocation of "
                        + section.name()
                        + " names symbol "
                        + sym
                        + ", beyond the symbol table");
              }
              out.putIfAbsent(
                  a.r_offset,
                  new Relocation(a.r_offset, (int) a.getType(), symbols.get(sym), a.r_addend));
            }
          }
          return Collections.unmodifiableNavigableMap(out);
        });
  }

  /** Every function symbol with a body (defined, size &gt; 0), in symbol table order. */
  public List<Symbol> functions() {
    return symbols.stream().filter(s -> s.function() && s.defined() && s.size() > 0).toList();
  }

  private synchronized Map<Integer, List<Symbol>> functionsBySection() {
    if (functionsBySection == null) {
      Map<Integer, List<Symbol>> m = new HashMap<>();
      for (Symbol s : symbols) {
        if (s.function() && s.defined()) {
          m.computeIfAbsent(s.sectionIndex(), k -> new ArrayList<>()).add(s);
        }
      }
      m.values()
          .forEach(
              l ->
                  l.sort(
                      Comparator.comparingLong(Symbol::value)
                          .thenComparing(Comparator.comparingLong(Symbol::size).reversed())));
      functionsBySection = m;
    }
    return functionsBySection;
  }

  /** The function that starts exactly at this place (the largest, if aliases share it). */
  public Optional<Symbol> functionAt(int section, long offset) {
    return functionsBySection().getOrDefault(section, List.of()).stream()
        .filter(s -> s.value() == offset)
        .findFirst();
  }

  /** The function whose body holds this place. */
  public Optional<Symbol> functionContaining(int section, long offset) {
    return functionsBySection().getOrDefault(section, List.of()).stream()
        .filter(s -> s.contains(section, offset) && s.size() > 0)
        .findFirst();
  }

  /** A named non-section symbol that holds this place: a function first, then any other. */
  public Optional<Symbol> symbolContaining(int section, long offset) {
    Optional<Symbol> f = functionContaining(section, offset);
    if (f.isPresent()) {
      return f;
    }
    return symbols.stream()
        .filter(s -> s.type() != Symbol.STT_SECTION && !s.name().isEmpty())
        .filter(s -> s.contains(section, offset))
        .findFirst();
  }

  /**
   * A place as objdump would name it: {@code symbol+0xN} after the symbol that holds it, else
   * {@code section+0xN}.
   */
  public String describe(int section, long offset) {
    if (section <= 0 || section >= sections.size()) {
      return "section " + section + "+" + hex(offset);
    }
    return symbolContaining(section, offset)
        .map(s -> plus(s.name(), offset - s.value()))
        .orElseGet(() -> plus(sections.get(section).name(), offset));
  }

  static String hex(long v) {
    return v < 0 ? "-0x" + Long.toHexString(-v) : "0x" + Long.toHexString(v);
  }

  /** {@code name}, {@code name+0x10} or {@code name-0x4}. */
  static String plus(String name, long offset) {
    if (offset == 0) {
      return name;
    }
    return offset < 0
        ? name + "-0x" + Long.toHexString(-offset)
        : name + "+0x" + Long.toHexString(offset);
  }
}
