@echo off
rem pulumi-resource-mailplane for Windows: the engine runs this file when Pulumi.yaml lists this
rem package folder under plugins.providers (name: mailplane). Untested: no Windows machine in CI.
node "%~dp0dist\plugin\main.js" %*
