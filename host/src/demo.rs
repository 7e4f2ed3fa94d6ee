//! `truc demo`.

/// Runs the demonstration.
pub async fn run(
    _keep: bool,
    _listen: Option<String>,
    _dir: Option<std::path::PathBuf>,
) -> anyhow::Result<std::process::ExitCode> {
    anyhow::bail!("the demo is being written")
}
