package dev.gitward.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class MintFormatTest {
  private final MintCommand.FormatConverter converter = new MintCommand.FormatConverter();

  @Test
  void format_acceptsHelpTextSpelling() {
    assertEquals(MintCommand.Format.GIT_CONFIG, converter.convert("git-config"));
    assertEquals(MintCommand.Format.GIT_CONFIG, converter.convert("git_config"));
    assertEquals(MintCommand.Format.JSON, converter.convert("json"));
    assertEquals(MintCommand.Format.TOKEN, converter.convert("TOKEN"));
  }

  @Test
  void format_rejectsUnknownNameWithChoices() {
    CommandLine.TypeConversionException error =
        assertThrows(CommandLine.TypeConversionException.class, () -> converter.convert("yaml"));
    assertEquals("yaml (expected: token, json or git-config)", error.getMessage());
  }
}
