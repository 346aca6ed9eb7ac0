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
