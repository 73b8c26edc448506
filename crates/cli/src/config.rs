//! `scorejar config show`: the settings a `serve` started the same way would run with — defaults,
//! `--config` file, `SCOREJAR_*` environment, `DATABASE_URL` and flags applied — with secrets
//! redacted (`Settings::redacted`), as TOML (a valid `--config` file) or JSON.

use clap::{Subcommand, ValueEnum};
use scorejar_server::config::Settings;

#[derive(Subcommand)]
pub enum ConfigCommand {
    /// Print the effective settings, secrets redacted.
    Show {
        #[arg(long, value_enum, default_value = "toml")]
        format: Format,
    },
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Format {
    Toml,
    Json,
}

pub fn run(command: ConfigCommand, settings: Settings) -> anyhow::Result<()> {
    match command {
        ConfigCommand::Show { format } => {
            print!("{}", render(&settings.redacted(), format)?);
            Ok(())
        }
    }
}

fn render(settings: &Settings, format: Format) -> anyhow::Result<String> {
    Ok(match format {
        Format::Toml => toml::to_string_pretty(settings)?,
        Format::Json => serde_json::to_string_pretty(settings)? + "\n",
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_toml_printed_reads_back_as_the_same_settings() {
        let mut settings = Settings::default();
        settings.billing.evaluation_per_minute = 2;
        settings.llm.providers.push(scorejar_llm::ProviderSettings {
            name: "local".into(),
            base_url: "http://127.0.0.1:8081/v1".into(),
            ..Default::default()
        });
        let printed = render(&settings, Format::Toml).unwrap();
        let back: Settings = toml::from_str(&printed).unwrap();
        assert_eq!(
            serde_json::to_value(&back).unwrap(),
            serde_json::to_value(&settings).unwrap()
        );
    }
}
