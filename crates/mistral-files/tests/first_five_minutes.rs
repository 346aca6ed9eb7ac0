//! The README's "first five minutes", run. The test between the markers below is the snippet
//! both READMEs show, character for character (`the_readmes_show_this_test` checks it), so what
//! a new user copies is a test that passes.

// README BEGIN
use mistral_files::{Client, FilePurpose};
use mistral_files_emulator::{Emulator, DEFAULT_API_KEY};

#[tokio::test]
async fn upload_then_list() -> Result<(), Box<dyn std::error::Error>> {
    let emu = Emulator::builder().start().await?;
    let client = Client::builder()
        .api_key(DEFAULT_API_KEY)
        .base_url(emu.url())
        .build()?;
    let file = client
        .upload_bytes("a.jsonl", b"{}\n")
        .purpose(FilePurpose::Batch)
        .await?;
    let page = client.list().send().await?;
    assert_eq!(page.data[0].id, file.id);
    assert!(client.retrieve(file.id).await.is_ok());
    client.delete(file.id).await?;
    assert!(client.retrieve(file.id).await.unwrap_err().is_not_found());
    Ok(())
}
// README END

/// The text between the markers of this file.
fn snippet() -> &'static str {
    let me = include_str!("first_five_minutes.rs");
    let start = me.find("// README BEGIN\n").expect("begin marker") + "// README BEGIN\n".len();
    let len = me[start..].find("// README END").expect("end marker");
    &me[start..start + len]
}

#[test]
fn the_readmes_show_this_test() {
    let readmes = [
        (
            "crates/mistral-files/README.md",
            include_str!("../README.md"),
        ),
        ("README.md", include_str!("../../../README.md")),
    ];
    for (name, text) in readmes {
        assert!(
            text.contains(snippet()),
            "{name} no longer shows the test of tests/first_five_minutes.rs verbatim: copy it \
             back (the README's snippet is what users copy, this file is what CI runs)"
        );
    }
}
