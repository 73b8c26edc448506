//! `[llm]` in the configuration: the providers and which one serves a scorecard's `model`.
//!
//! A scorecard's `model` is `provider/model`, or a model name the default provider lists, or
//! absent (the default provider's first model). `rules` never reaches a provider.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LlmSettings {
    pub providers: Vec<ProviderSettings>,
    /// The provider of a scorecard whose `model` names no provider; default: the first one.
    pub default_provider: Option<String>,
}

/// How the reply is constrained: `json_schema` (OpenAI's strict structured output; llama.cpp
/// and vLLM speak it too) or `json_object` with the schema beside it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StructuredOutput {
    #[default]
    JsonSchema,
    JsonObject,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ProviderSettings {
    pub name: String,
    /// The API root: requests go to `{base_url}/chat/completions`. The operator's URL, so it
    /// may be private (a model on the LAN).
    pub base_url: String,
    /// The name of the environment variable holding the key (never the key); unset or absent
    /// for a local server.
    pub api_key_env: Option<String>,
    pub models: Vec<String>,
    /// Requests this process sends to the provider at once.
    pub concurrency: usize,
    pub timeout_secs: u64,
    /// The model's context window, in tokens.
    pub context_tokens: u64,
    pub price_prompt_per_1k: Option<f64>,
    pub price_completion_per_1k: Option<f64>,
    pub structured_output: StructuredOutput,
}

impl Default for ProviderSettings {
    fn default() -> Self {
        Self {
            name: String::new(),
            base_url: String::new(),
            api_key_env: None,
            models: Vec::new(),
            concurrency: 4,
            timeout_secs: 120,
            context_tokens: 8192,
            price_prompt_per_1k: None,
            price_completion_per_1k: None,
            structured_output: StructuredOutput::JsonSchema,
        }
    }
}

impl LlmSettings {
    /// The provider and model that serve a scorecard's `model`, or why none does (shown as a
    /// 400 naming `model` when an ACTIVE scorecard is saved).
    pub fn resolve(&self, model: Option<&str>) -> Result<(&ProviderSettings, String), String> {
        let default = || {
            match &self.default_provider {
                Some(name) => self.providers.iter().find(|p| &p.name == name),
                None => self.providers.first(),
            }
            .ok_or_else(|| {
                "no language model provider is configured ([[llm.providers]])".to_owned()
            })
        };
        match model.map(str::trim).filter(|m| !m.is_empty()) {
            None => {
                let provider = default()?;
                let model = provider
                    .models
                    .first()
                    .ok_or_else(|| format!("provider {:?} lists no models", provider.name))?;
                Ok((provider, model.clone()))
            }
            Some(model) => {
                if let Some((name, rest)) = model.split_once('/') {
                    if let Some(p) = self.providers.iter().find(|p| p.name == name) {
                        return if p.models.iter().any(|m| m == rest) {
                            Ok((p, rest.to_owned()))
                        } else {
                            Err(format!("provider {name:?} does not serve model {rest:?}"))
                        };
                    }
                }
                let provider = default()?;
                if provider.models.iter().any(|m| m == model) {
                    Ok((provider, model.to_owned()))
                } else {
                    Err(format!(
                        "unknown model {model:?}: use provider/model or one of {:?}",
                        provider.models
                    ))
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> LlmSettings {
        let provider = |name: &str, models: &[&str]| ProviderSettings {
            name: name.into(),
            base_url: format!("http://{name}/v1"),
            models: models.iter().map(|m| m.to_string()).collect(),
            ..Default::default()
        };
        LlmSettings {
            providers: vec![
                provider("local", &["small", "org/tiny"]),
                provider("openai", &["gpt-x"]),
            ],
            default_provider: None,
        }
    }

    #[test]
    fn a_scorecard_model_picks_provider_and_model() {
        let s = settings();
        type Case<'a> = (Option<&'a str>, Result<(&'a str, &'a str), &'a str>);
        let cases: [Case; 7] = [
            (None, Ok(("local", "small"))),
            (Some("small"), Ok(("local", "small"))),
            (Some("openai/gpt-x"), Ok(("openai", "gpt-x"))),
            // A model name with a slash the default provider serves.
            (Some("org/tiny"), Ok(("local", "org/tiny"))),
            (Some("openai/small"), Err("provider \"openai\" does not serve model \"small\"")),
            (Some("gpt-x"), Err("unknown model \"gpt-x\": use provider/model or one of [\"small\", \"org/tiny\"]")),
            (Some(" "), Ok(("local", "small"))),
        ];
        for (model, want) in cases {
            let got = s.resolve(model).map(|(p, m)| (p.name.clone(), m));
            let want = want
                .map(|(p, m)| (p.to_string(), m.to_string()))
                .map_err(str::to_string);
            assert_eq!(got, want, "{model:?}");
        }
        assert!(LlmSettings::default().resolve(None).is_err());
    }
}
