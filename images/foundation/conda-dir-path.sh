# /etc/profile.d: login shells (a JupyterLab terminal under a spawner, `bash -l`, `su -`, `sudo -i`) start
# from the PATH /etc/profile sets, which does not hold the environment: put it first again.
case ":${PATH}:" in
    *":@CONDA_DIR@/bin:"*) ;;
    *) PATH="@CONDA_DIR@/bin:${PATH}" ;;
esac
export PATH
