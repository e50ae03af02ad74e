package dev.ftguard.policy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Loads and validates policy files. Loading is all-or-nothing: any error in any file gives {@link
 * LoadResult.Invalid} with every error found, sorted by file (in the order given), line and column;
 * otherwise {@link LoadResult.Loaded} with the normalized {@link PolicySet}.
 */
public final class PolicyLoader {
  private PolicyLoader() {}

  public static LoadResult load(List<PolicySource> sources) {
    return new Validator().load(sources);
  }

  public static LoadResult load(PolicySource... sources) {
    return load(List.of(sources));
  }

  /**
   * Reads and loads files; errors name each file as given. A file that cannot be read (missing,
   * unreadable, not UTF-8) throws.
   */
  public static LoadResult loadFiles(List<Path> files) throws IOException {
    List<PolicySource> sources = new ArrayList<>();
    for (Path f : files) {
      byte[] bytes = Files.readAllBytes(f);
      String text;
      try {
        text =
            StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(bytes))
                .toString();
      } catch (CharacterCodingException e) {
        throw new CharacterCodingException() {
          private static final long serialVersionUID = 1L;

          @Override
          public String getMessage() {
            return f + " is not UTF-8 text";
          }
        };
      }
      sources.add(new PolicySource(f.toString(), text));
    }
    return load(sources);
  }
}
