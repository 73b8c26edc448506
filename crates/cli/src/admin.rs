//! Admin subcommands. They open the same database as `serve` (SQLite allows it while the
//! server runs: writes wait on the lock) and print one JSON object on stdout.

use crate::settings::open_store;
use clap::Subcommand;
use scorejar_core::model::NewUser;
use scorejar_core::roles::Role;
use scorejar_server::config::Settings;
use serde_json::json;

#[derive(Subcommand)]
pub enum AccountsCommand {
    /// Create an account and its first API token.
    Create {
        #[arg(long)]
        name: String,
        #[arg(long, default_value_t = 0)]
        credits: i64,
    },
}

#[derive(Subcommand)]
pub enum CreditsCommand {
    /// Add credits to an account (a ledger entry records it).
    Add {
        #[arg(long)]
        account: String,
        #[arg(long)]
        amount: i64,
    },
}

#[derive(Subcommand)]
pub enum UsersCommand {
    /// Create a user who can log in with e-mail and password.
    Create {
        #[arg(long)]
        account: String,
        #[arg(long)]
        email: String,
        #[arg(long)]
        password: String,
        /// ADMIN (everything), REVIEWER, AGENT or VIEWER (docs/web.md, "Roles").
        #[arg(long, default_value = "ADMIN")]
        role: String,
        /// For an AGENT: the id of their agent participant (the only agent whose interactions
        /// they see).
        #[arg(long)]
        agent: Option<String>,
    },
}

pub async fn accounts(cmd: AccountsCommand, settings: Settings) -> anyhow::Result<()> {
    let AccountsCommand::Create { name, credits } = cmd;
    if credits < 0 {
        anyhow::bail!("--credits must not be negative");
    }
    let store = open_store(&settings).await?;
    let created =
        scorejar_server::create_account_with_token(store.as_ref(), &name, credits).await?;
    println!(
        "{}",
        json!({ "accountId": created.account_id, "apiToken": created.api_token })
    );
    Ok(())
}

pub async fn credits(cmd: CreditsCommand, settings: Settings) -> anyhow::Result<()> {
    let CreditsCommand::Add { account, amount } = cmd;
    if amount <= 0 {
        anyhow::bail!("--amount must be a positive number of credits");
    }
    let store = open_store(&settings).await?;
    let balance = store
        .add_credits(&account, amount, "credits added by an administrator")
        .await?;
    println!("{}", json!({ "accountId": account, "balance": balance }));
    Ok(())
}

pub async fn users(cmd: UsersCommand, settings: Settings) -> anyhow::Result<()> {
    let UsersCommand::Create {
        account,
        email,
        password,
        role,
        agent,
    } = cmd;
    let role = Role::parse(&role.to_ascii_uppercase())
        .ok_or_else(|| anyhow::anyhow!("--role must be ADMIN, REVIEWER, AGENT or VIEWER"))?;
    role.check_agent_link(agent.as_deref())
        .map_err(|e| anyhow::anyhow!("{} (--agent)", e.message))?;
    scorejar_core::users::check_email(&email)
        .map_err(|e| anyhow::anyhow!("--email {}", e.message))?;
    scorejar_core::users::check_password(&password)
        .map_err(|e| anyhow::anyhow!("--password {}", e.message))?;
    let store = open_store(&settings).await?;
    let hash = scorejar_server::auth::passwords::hash_password(&password)?;
    let user_id = scorejar_core::ids::new_id();
    store
        .create_user(NewUser {
            role,
            agent_participant_id: agent,
            ..NewUser::admin(&user_id, &account, &email, &hash)
        })
        .await?;
    println!("{}", json!({ "userId": user_id, "role": role.as_str() }));
    Ok(())
}
