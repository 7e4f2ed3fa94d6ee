//! The example adapters' format code, tested natively (the same code runs in their sandboxes).

mod legacy_xml {
    use legacy_tcvn3::xml::{Element, parse, write};

    #[test]
    fn written_documents_parse_back_identically() {
        let root = Element::new("GOITIN")
            .with_attr("loai", "VANBAN")
            .with_child(Element::new("TRICHYEU").with_text("a < b & \"c\"\nd"))
            .with_child(Element::new("EMPTY").with_attr("x", "1\n2"));
        assert_eq!(parse(&write(&root)).unwrap(), root);
    }

    #[test]
    fn doctype_and_truncation_are_refused() {
        assert!(
            parse("<!DOCTYPE x [<!ENTITY a \"b\">]><x/>")
                .unwrap_err()
                .message
                .contains("DOCTYPE")
        );
        assert!(parse("<a><b>").is_err());
        assert!(
            parse("<a>&bogus;</a>")
                .unwrap_err()
                .message
                .contains("bogus")
        );
    }
}

mod json_office_format {
    use json_office::format::{Record, decode, encode, file_bytes, file_location};

    #[test]
    fn the_sample_document_decodes_and_encodes_back() {
        let bytes = include_bytes!("../../plugins/json-office/samples/document.json");
        let decoded = decode(bytes).unwrap();
        assert_eq!(decoded.len(), 1);
        let Record::Document(d) = &decoded[0] else {
            panic!("a document")
        };
        assert_eq!(d.recipients.len(), 2);
        let file = file_bytes(d.files[0].data.as_bytes(), &file_location(0, 0)).unwrap();
        assert_eq!(file.len(), 30);
        let at = d.files[0].data.range_in(bytes).unwrap();
        assert_eq!(&bytes[at], d.files[0].data.as_bytes());
        let encoded = encode(&decoded[0]);
        let again = decode(&encoded).unwrap();
        assert_eq!(again[0], decoded[0]);
    }

    #[test]
    fn bad_base64_is_reported_with_its_location() {
        let e = file_bytes(b"!!", &file_location(0, 0)).unwrap_err();
        assert_eq!(e.location.as_deref(), Some("[0].files[0].data"));
    }

    #[test]
    fn garbage_is_reported_with_line_and_column() {
        let e = decode(b"{\n  nope").unwrap_err();
        assert!(e.location.unwrap().starts_with("line 2"));
    }
}
