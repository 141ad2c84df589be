// SluiceGit: see GitMirror.swift
