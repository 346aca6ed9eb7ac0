//! The rules of `cargo xtask release-check`, one at a time through `xtask::release`: the bump a
//! change needs, the manifest keys it reads, the public API listing diff and the CHANGELOG
//! draft. `release.rs` runs the command end to end.

mod needed {
    use semver::Version;
    use std::cmp::Ordering;
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
        // Precedence leaves build metadata out (CrateCheck::ok compares by precedence).
        assert_eq!(
            v("1.0.0+build.5").cmp_precedence(&v("1.0.0")),
            Ordering::Equal
        );
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
        let root = parse(ROOT, "Cargo.toml").unwrap();
        assert_eq!(workspace_version(&root).unwrap(), "0.3.1");
        let pin = |n| workspace_dependency_version(&root, n).unwrap();
        assert_eq!(pin("mistral-files-raw").as_deref(), Some("0.3.1"));
        assert_eq!(pin("plain").as_deref(), Some("1"));
        assert_eq!(pin("tabled").as_deref(), Some("0.3.0"));
        assert_eq!(pin("absent"), None);
    }

    #[test]
    fn reads_a_locked_version() {
        let lock = "[[package]]\nname = \"a\"\nversion = \"1.0.0\"\n\n[[package]]\nname = \"mistral-files\"\nversion = \"0.2.0\"\ndependencies = [\n \"a\",\n]\n";
        let lock = parse(lock, "Cargo.lock").unwrap();
        let locked = |n| locked_version(&lock, n).unwrap();
        assert_eq!(locked("mistral-files").as_deref(), Some("0.2.0"));
        assert_eq!(locked("a").as_deref(), Some("1.0.0"));
        assert_eq!(locked("b"), None);
    }

    #[test]
    fn reads_where_a_crate_takes_its_version_from() {
        let toml = |text| parse(text, "x").unwrap();
        assert_eq!(
            package_version(&toml(ROOT), "x").unwrap(),
            VersionSource::Workspace
        );
        let own = "[package]\nname = \"c\"\nversion = \"1.4.0\"\n";
        assert_eq!(
            package_version(&toml(own), "x").unwrap(),
            VersionSource::Own("1.4.0".into())
        );
        let inline = "[package]\nversion = { workspace = true }\n";
        assert_eq!(
            package_version(&toml(inline), "x").unwrap(),
            VersionSource::Workspace
        );
        let err = package_version(&toml("[package]\nname = \"c\"\n"), "crates/c/Cargo.toml");
        assert!(err.unwrap_err().to_string().contains("crates/c/Cargo.toml"));
        assert!(workspace_version(&toml("[workspace]\n")).is_err());
    }
}

mod api_diff {
    use xtask::changes::Impact;
    use xtask::release::api_diff::ApiDiff;

    const OLD: &str = "# header\n\
        #[non_exhaustive] pub enum c::Open\n\
        #[non_exhaustive] pub struct c::Item\n\
        impl Clone for c::Item\n\
        pub c::Item::id: String\n\
        pub c::Open::A\n\
        pub c::Shut::A\n\
        pub c::Point::x: i64\n\
        pub c::Shape::Circle { .. }\n\
        pub c::Shape::Circle::r: f64\n\
        pub enum c::Shape\n\
        pub enum c::Shut\n\
        pub fn c::Item::name(&self) -> &str\n\
        pub struct c::Point\n";

    fn diff(new: &str) -> ApiDiff {
        ApiDiff::between(OLD, new)
    }

    fn with(extra: &[&str], without: &[&str]) -> String {
        let mut lines: Vec<&str> = OLD.lines().filter(|l| !without.contains(l)).collect();
        lines.extend(extra);
        lines.join("\n")
    }

    #[test]
    fn the_same_listing_is_no_change_and_comments_are_not_items() {
        let d = diff(&OLD.replace("# header", "# another header"));
        assert_eq!(d, ApiDiff::default());
        assert_eq!(d.impact(), Impact::None);
    }

    #[test]
    fn a_removed_or_changed_line_is_breaking() {
        let d = diff(&with(&[], &["impl Clone for c::Item"]));
        assert_eq!(d.impact(), Impact::Breaking);
        assert_eq!(d.counts(), (1, 0));
        let changed = with(
            &["pub fn c::Item::name(&self) -> String"],
            &["pub fn c::Item::name(&self) -> &str"],
        );
        let d = diff(&changed);
        assert_eq!(d.impact(), Impact::Breaking);
        assert_eq!(d.counts(), (1, 1));
        assert_eq!(
            d.to_diff(),
            "- pub fn c::Item::name(&self) -> &str\n+ pub fn c::Item::name(&self) -> String\n"
        );
        // Marking a type #[non_exhaustive] changes its line: breaking.
        let marked = with(
            &["#[non_exhaustive] pub struct c::Point"],
            &["pub struct c::Point"],
        );
        assert_eq!(diff(&marked).impact(), Impact::Breaking);
    }

    #[test]
    fn an_added_item_or_a_member_of_a_non_exhaustive_type_is_additive() {
        for extra in [
            "pub fn c::Item::size(&self) -> u64",
            "impl Debug for c::Item",
            "pub c::Open::B",
            "pub c::Item::size: u64",
            "pub struct c::New",
        ] {
            let d = diff(&with(&[extra], &[]));
            assert_eq!(d.impact(), Impact::Additive, "{extra}");
            assert_eq!(d.counts(), (0, 1));
        }
    }

    #[test]
    fn an_added_member_of_an_exhaustive_type_is_breaking() {
        for extra in [
            "pub c::Shut::B",
            "pub c::Shut::C(String)",
            "pub c::Point::y: i64",
            "pub c::Shape::Circle::centre: (f64, f64)",
        ] {
            let d = diff(&with(&[extra], &[]));
            assert_eq!(d.impact(), Impact::Breaking, "{extra}");
            assert!(d.lines[0].why.is_some(), "{extra}");
        }
    }
}

mod changelog {
    use xtask::changes::{Change, Impact, Report};
    use xtask::release::api_diff::ApiDiff;
    use xtask::release::changelog::draft;
    use xtask::release::Release;
    use xtask::revision::Rev;

    fn change(impact: Impact, subject: &str, what: &str) -> Change {
        Change {
            impact,
            subject: subject.into(),
            what: what.into(),
        }
    }

    #[test]
    fn groups_by_scope_under_each_heading_and_leaves_none_out() {
        let release = Release {
            base: Rev::Git("v0.1.0".into()),
            head: Rev::WorkTree,
            report: Report {
                changes: vec![
                    change(
                        Impact::Breaking,
                        "type FileObject field signature",
                        "removed",
                    ),
                    change(
                        Impact::Breaking,
                        "type FileObject field bytes",
                        "now required",
                    ),
                    change(
                        Impact::Additive,
                        "operation list_files query page",
                        "new optional input",
                    ),
                    change(Impact::Docs, "type FilePurpose", "doc text changed"),
                    change(Impact::None, "type SampleType", "renamed by the provider"),
                ],
                notes: vec![],
            },
            api: vec![(
                "mistral-files",
                ApiDiff::between("pub fn a::x()\n", "pub fn a::y()\n"),
            )],
            crates: vec![],
            problems: vec![],
        };
        let text = draft(&release);
        let expected = "\n### Breaking\n\
            - `mistral-files` public API: removed or changed `pub fn a::x()`\n\
            - `type FileObject`:\n  - field signature: removed\n  - field bytes: now required\n\
            \n### Added\n\
            - `mistral-files` public API: added `pub fn a::y()`\n\
            - `operation list_files`: query page: new optional input\n\
            \n### Changed\n\
            - `type FilePurpose`: doc text changed\n";
        assert!(text.starts_with("## [Unreleased]\n\n"), "{text}");
        assert!(text.ends_with(expected), "{text}");
        assert!(!text.contains("SampleType"), "{text}");
    }
}
