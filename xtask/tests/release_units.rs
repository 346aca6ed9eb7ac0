//! The rules of `cargo xtask release-check`, one at a time through `xtask::release`: the bump a
//! change needs, the manifest keys it reads, the public API listing diff and the CHANGELOG
//! draft. `release.rs` runs the command end to end.

mod needed {
    use semver::Version;
    use xtask::changes::Impact;

    fn v(text: &str) -> Version {
        Version::parse(text).unwrap()
    }

    fn needed(base: &str, impact: Impact) -> String {
        xtask::release::needed(&v(base), impact)
            .unwrap()
            .to_string()
    }

    #[test]
    fn before_one_a_breaking_change_bumps_the_minor_and_anything_else_the_patch() {
        assert_eq!(needed("0.1.0", Impact::Breaking), "0.2.0");
        assert_eq!(needed("0.1.7", Impact::Breaking), "0.2.0");
        assert_eq!(needed("0.1.0", Impact::Additive), "0.1.1");
        assert_eq!(needed("0.1.7", Impact::Docs), "0.1.8");
        assert_eq!(needed("0.1.7", Impact::None), "0.1.7");
    }

    #[test]
    fn from_one_on_breaking_is_major_additive_minor_docs_patch() {
        assert_eq!(needed("1.2.3", Impact::Breaking), "2.0.0");
        assert_eq!(needed("1.2.3", Impact::Additive), "1.3.0");
        assert_eq!(needed("1.2.3", Impact::Docs), "1.2.4");
        assert_eq!(needed("1.2.3", Impact::None), "1.2.3");
        assert_eq!(needed("2.0.0", Impact::Breaking), "3.0.0");
    }

    #[test]
    fn every_zero_zero_release_is_its_own_line() {
        assert_eq!(needed("0.0.3", Impact::Breaking), "0.0.4");
        assert_eq!(needed("0.0.3", Impact::Additive), "0.0.4");
        assert_eq!(needed("0.0.3", Impact::Docs), "0.0.4");
        assert_eq!(needed("0.0.3", Impact::None), "0.0.3");
    }

    #[test]
    fn a_version_satisfies_a_need_by_precedence() {
        assert!(v("0.2.0") >= v("0.2.0"));
        assert!(v("0.3.0") >= v("0.2.0"));
        assert!(v("0.1.9") < v("0.2.0"));
        assert!(v("1.9.9") < v("2.0.0"));
        assert!(v("2.0.0-rc.1") < v("2.0.0"));
        assert!(v("2.0.0-alpha.2") < v("2.0.0-alpha.10"));
        assert!(v("2.0.0-alpha.2") < v("2.0.0-beta"));
        // The semver crate orders build metadata after the numbers and pre-release (semver
        // itself leaves it out), so a version with build metadata still satisfies its need.
        assert!(v("1.0.0+build.5") >= v("1.0.0"));
    }

    #[test]
    fn parsing_refuses_what_cargo_refuses() {
        for bad in ["1.2", "1.2.3.4", "01.2.3", "1.x.3", "", "1.2.3-"] {
            assert!(Version::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(v("1.2.3-alpha.1+b7").to_string(), "1.2.3-alpha.1+b7");
        assert!(xtask::release::needed(&v("1.0.0-rc.1"), Impact::Breaking).is_err());
    }
}

mod manifest {
    use xtask::release::manifest::*;

    const ROOT: &str = r#"
[workspace]
members = ["a"]

[workspace.package]
# the shared version
version = "0.3.1" # comment
edition = "2021"

[workspace.dependencies]
# "version" in a comment
mistral-files-raw = { path = "crates/mistral-files-raw", version = "0.3.1", default-features = false }
plain = "1"
serde = { version = "1", features = ["derive"] }

[workspace.dependencies.tabled]
path = "crates/tabled"
version = "0.3.0"

[package]
name = "root"
version.workspace = true
"#;

    #[test]
    fn reads_the_workspace_version_and_the_pins() {
        assert_eq!(workspace_version(ROOT).unwrap(), "0.3.1");
        let pin = |n| workspace_dependency_version(ROOT, n).unwrap();
        assert_eq!(pin("mistral-files-raw").as_deref(), Some("0.3.1"));
        assert_eq!(pin("plain").as_deref(), Some("1"));
        assert_eq!(pin("tabled").as_deref(), Some("0.3.0"));
        assert_eq!(pin("absent"), None);
    }

    #[test]
    fn reads_a_locked_version() {
        let lock = "[[package]]\nname = \"a\"\nversion = \"1.0.0\"\n\n[[package]]\nname = \"mistral-files\"\nversion = \"0.2.0\"\ndependencies = [\n \"a\",\n]\n";
        let locked = |n| locked_version(lock, n).unwrap();
        assert_eq!(locked("mistral-files").as_deref(), Some("0.2.0"));
        assert_eq!(locked("a").as_deref(), Some("1.0.0"));
        assert_eq!(locked("b"), None);
    }

    #[test]
    fn reads_where_a_crate_takes_its_version_from() {
        assert_eq!(
            package_version(ROOT, "x").unwrap(),
            VersionSource::Workspace
        );
        let own = "[package]\nname = \"c\"\nversion = \"1.4.0\"\n";
        assert_eq!(
            package_version(own, "x").unwrap(),
            VersionSource::Own("1.4.0".into())
        );
        let inline = "[package]\nversion = { workspace = true }\n";
        assert_eq!(
            package_version(inline, "x").unwrap(),
            VersionSource::Workspace
        );
        let err = package_version("[package]\nname = \"c\"\n", "crates/c/Cargo.toml");
        assert!(err.unwrap_err().to_string().contains("crates/c/Cargo.toml"));
        assert!(workspace_version("[workspace]\n").is_err());
    }
}
